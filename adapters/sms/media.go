package sms

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// maxRedirects bounds the redirects followed when fetching a medium
// (Twilio answers media URLs with a redirect to its storage).
const maxRedirects = 3

// mediaError is a medium the provider did not serve; status is the HTTP
// status to answer the provider's callback with (502 when a retry may
// help, 400 when it cannot).
type mediaError struct {
	status int
	err    error
}

func (e *mediaError) Error() string { return e.err.Error() }
func (e *mediaError) Unwrap() error { return e.err }

// storeMedia fetches every medium of m into the blob store. The stored
// type is sniffed from the bytes; media outside the channel's
// capabilities are stored anyway, flagged. Media over maxMediaBytes are
// refused, since no SMS provider delivers them.
func (a *Adapter) storeMedia(ctx context.Context, m inboundSMS) ([]core.Attachment, error) {
	var out []core.Attachment
	for i, ref := range m.Media {
		blob, err := a.fetchMedium(ctx, ref.URL)
		if err != nil {
			return nil, fmt.Errorf("medium %d of %s: %w", i, m.ID, err)
		}
		att := core.Attachment{Filename: mediaFilename(ref, blob.MIMEType, i), MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}
		if err := a.caps.CheckAttachment(a.name, att); err != nil {
			att.Flagged = true
			a.log.InfoContext(ctx, "inbound medium flagged", "message", m.ID, "type", att.MIMEType, "reason", err.Error())
		}
		if ref.ContentType != "" && !sameMIME(ref.ContentType, blob.MIMEType) {
			a.log.DebugContext(ctx, "declared media type differs from sniffed", "message", m.ID, "declared", ref.ContentType, "sniffed", blob.MIMEType)
		}
		out = append(out, att)
	}
	return out, nil
}

func (a *Adapter) fetchMedium(ctx context.Context, u *url.URL) (core.Blob, error) {
	if err := a.allowedHost(u); err != nil {
		return core.Blob{}, &mediaError{status: http.StatusBadRequest, err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	req, err := a.driver.fetch(ctx, u)
	if err != nil {
		return core.Blob{}, &mediaError{status: http.StatusBadRequest, err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := a.fetcher.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text would repeat the URL
		}
		return core.Blob{}, &mediaError{status: http.StatusBadGateway, err: fmt.Errorf("fetch %s: %w", redact(u), err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return core.Blob{}, &mediaError{status: http.StatusBadGateway, err: fmt.Errorf("fetch %s: answered %s", redact(u), resp.Status)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return core.Blob{}, &mediaError{status: http.StatusBadRequest, err: fmt.Errorf("fetch %s: answered %s", redact(u), resp.Status)}
	case resp.ContentLength > maxMediaBytes:
		return core.Blob{}, &mediaError{status: http.StatusBadRequest, err: fmt.Errorf("fetch %s: %d bytes; media are limited to %d", redact(u), resp.ContentLength, maxMediaBytes)}
	}
	blob, err := a.blobs.Put(ctx, resp.Body, maxMediaBytes)
	switch {
	case core.ErrorCode(err) == core.CodeTooLarge:
		return core.Blob{}, &mediaError{status: http.StatusBadRequest, err: fmt.Errorf("fetch %s: %w", redact(u), err)}
	case err != nil && ctx.Err() != nil:
		return core.Blob{}, &mediaError{status: http.StatusBadGateway, err: fmt.Errorf("fetch %s: %w", redact(u), ctx.Err())}
	case err != nil:
		return core.Blob{}, fmt.Errorf("store medium: %w", err)
	}
	return blob, nil
}

// allowedHost admits https (and http) URLs on a host of media_hosts; an
// entry "*.example.com" admits the subdomains of example.com.
func (a *Adapter) allowedHost(u *url.URL) error {
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("media URL scheme %q is not http or https", u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range a.cfg.MediaHosts {
		h = strings.ToLower(h)
		if host == h || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return nil
		}
	}
	return fmt.Errorf("media host %q is not in the channel's media_hosts", host)
}

// fetchClient copies base so that a medium's redirects stay on https, on
// the host first asked or on an allowed host, and end within maxRedirects.
// Go drops credentials on a redirect to another host.
func (a *Adapter) fetchClient(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if req.URL.Scheme == "https" || req.URL.Host == via[0].URL.Host || a.allowedHost(req.URL) == nil {
			return nil
		}
		return fmt.Errorf("redirect to %s refused: not https", redact(req.URL))
	}
	return &c
}

// mediaFilename names a stored medium after the last element of its URL
// (a Twilio media SID) and the extension of its type.
func mediaFilename(ref mediaRef, mimeType string, i int) string {
	base := path.Base(ref.URL.Path)
	if base == "." || base == "/" || base == "" || len(base) > 100 {
		base = fmt.Sprintf("media%d", i)
	}
	if path.Ext(base) != "" {
		return base
	}
	mt, _, _ := strings.Cut(mimeType, ";")
	if exts, _ := mime.ExtensionsByType(strings.TrimSpace(mt)); len(exts) > 0 {
		return base + preferredExt(mt, exts)
	}
	return base
}

// preferredExt picks the usual extension where the MIME table lists
// several (".jpg" rather than ".jfif").
func preferredExt(mimeType string, exts []string) string {
	common := map[string]string{"image/jpeg": ".jpg", "video/mp4": ".mp4", "image/gif": ".gif", "image/png": ".png"}
	if e, ok := common[mimeType]; ok {
		return e
	}
	return exts[0]
}

func sameMIME(declared, sniffed string) bool {
	d, _, _ := strings.Cut(declared, ";")
	s, _, _ := strings.Cut(sniffed, ";")
	return strings.EqualFold(strings.TrimSpace(d), strings.TrimSpace(s))
}

// redact drops credentials and the query from u for logs and errors.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.User = nil
	return c.String()
}
