package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// maxRedirects bounds the redirects followed when fetching an attachment.
const maxRedirects = 5

// attachmentError is a failure to store an inbound attachment; status is
// the HTTP status to answer the sender with.
type attachmentError struct {
	status int
	code   string
	err    error
}

func (e *attachmentError) Error() string { return e.err.Error() }
func (e *attachmentError) Unwrap() error { return e.err }

// storeAttachments streams every attachment of p into the blob store and
// describes it as the core expects: the MIME type is the one the store
// sniffed, and content the channel's capabilities exclude is stored anyway
// but flagged. Files over the channel's size limit are refused.
//
// Blobs stored before a later attachment fails are left in place: the store
// is content-addressed, so they may be shared with other messages, and the
// blob collector removes the unreferenced ones.
func (c *Channel) storeAttachments(ctx context.Context, p payload) ([]core.Attachment, error) {
	limit := c.caps.MaxSize()
	var out []core.Attachment
	for i, spec := range p.Attachments {
		blob, err := c.storeAttachment(ctx, spec, limit)
		if err != nil {
			var ae *attachmentError
			if errors.As(err, &ae) {
				ae.err = fmt.Errorf("attachments[%d]: %w", i, ae.err)
				return nil, ae
			}
			return nil, fmt.Errorf("attachments[%d]: %w", i, err)
		}
		a := core.Attachment{Filename: spec.Filename, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}
		if err := c.caps.CheckAttachment(c.name, a); err != nil {
			a.Flagged = true
			c.log.InfoContext(ctx, "inbound attachment flagged", "message", p.ID, "filename", a.Filename, "reason", err.Error())
		}
		if spec.ContentType != "" && !sameMIME(spec.ContentType, blob.MIMEType) {
			c.log.DebugContext(ctx, "declared content type differs from sniffed",
				"message", p.ID, "declared", spec.ContentType, "sniffed", blob.MIMEType)
		}
		out = append(out, a)
	}
	return out, nil
}

func (c *Channel) storeAttachment(ctx context.Context, spec attachmentSpec, limit int64) (core.Blob, error) {
	if spec.URL == nil {
		if int64(len(spec.Data)) > limit {
			return core.Blob{}, tooLarge(int64(len(spec.Data)), limit)
		}
		return c.put(ctx, bytes.NewReader(spec.Data), limit)
	}
	if err := c.allowedURL(spec.URL); err != nil {
		return core.Blob{}, &attachmentError{status: http.StatusBadRequest, code: "malformed", err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.URL.String(), nil)
	if err != nil {
		return core.Blob{}, &attachmentError{status: http.StatusBadRequest, code: "malformed", err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.fetcher.Do(req)
	var refused *refusedURLError
	switch {
	case errors.As(err, &refused): // a redirect to a host not allowed
		return core.Blob{}, &attachmentError{status: http.StatusBadRequest, code: "malformed", err: refused}
	case err != nil:
		// A network failure or timeout may pass: let the sender retry.
		return core.Blob{}, &attachmentError{status: http.StatusBadGateway, code: "attachment_unavailable",
			err: fmt.Errorf("fetch %s: %w", spec.URL.Redacted(), unwrapURLError(err))}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return core.Blob{}, &attachmentError{status: http.StatusBadGateway, code: "attachment_unavailable",
			err: fmt.Errorf("fetch %s: answered %s", spec.URL.Redacted(), resp.Status)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return core.Blob{}, &attachmentError{status: http.StatusBadRequest, code: "attachment_unavailable",
			err: fmt.Errorf("fetch %s: answered %s", spec.URL.Redacted(), resp.Status)}
	case resp.ContentLength > limit:
		return core.Blob{}, tooLarge(resp.ContentLength, limit)
	}
	return c.put(ctx, resp.Body, limit)
}

func (c *Channel) put(ctx context.Context, r io.Reader, limit int64) (core.Blob, error) {
	blob, err := c.blobs.Put(ctx, r, limit)
	switch {
	case core.ErrorCode(err) == core.CodeTooLarge:
		return core.Blob{}, &attachmentError{status: http.StatusRequestEntityTooLarge, code: "too_large", err: err}
	case err != nil:
		return core.Blob{}, fmt.Errorf("store blob: %w", err)
	}
	return blob, nil
}

func tooLarge(size, limit int64) error {
	return &attachmentError{status: http.StatusRequestEntityTooLarge, code: "too_large",
		err: fmt.Errorf("file is %d bytes; the channel accepts up to %d", size, limit)}
}

// allowedURL admits http and https URLs whose host is in attachment_hosts,
// or any host when that list is empty. An entry "*.example.com" admits the
// subdomains of example.com.
func (c *Channel) allowedURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &refusedURLError{fmt.Sprintf("url scheme %q is not http or https", u.Scheme)}
	}
	if len(c.cfg.AttachmentHosts) == 0 {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range c.cfg.AttachmentHosts {
		h = strings.ToLower(h)
		if host == h || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return nil
		}
	}
	return &refusedURLError{fmt.Sprintf("url host %q is not in the channel's attachment_hosts", host)}
}

// refusedURLError is an attachment URL, or a redirect target, that the
// channel's configuration does not allow.
type refusedURLError struct{ reason string }

func (e *refusedURLError) Error() string { return e.reason }

// fetchClient copies base so that redirects are checked against the same
// rules as the first URL.
func (c *Channel) fetchClient(base *http.Client) *http.Client {
	fc := *base
	fc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		return c.allowedURL(req.URL)
	}
	return &fc
}

func sameMIME(declared, sniffed string) bool {
	d, _, _ := strings.Cut(declared, ";")
	s, _, _ := strings.Cut(sniffed, ";")
	return strings.EqualFold(strings.TrimSpace(d), strings.TrimSpace(s))
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the URL
// with any credentials it holds.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("timed out: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}
