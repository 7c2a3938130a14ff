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
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

const (
	// maxResponseBytes bounds what is read of a receiver's answer.
	maxResponseBytes = 64 << 10
	// maxReasonBytes bounds the part of an answer quoted in errors.
	maxReasonBytes = 200
)

// signedPost is one Standard Webhooks delivery.
type signedPost struct {
	client  *http.Client // must not follow redirects
	url     string
	key     []byte
	id      string // webhook-id: the same for every redelivery
	now     time.Time
	body    []byte
	timeout time.Duration
}

// do sends the POST. It returns the status code (0 when no answer came), the
// first maxResponseBytes of the answer and, unless the status is 2xx, an
// error that says whether retrying can help: a 4xx other than 408 and 429,
// or a redirect, is core.Permanent; a 5xx, 408, 429, a timeout or a
// connection failure is temporary.
func (p signedPost) do(ctx context.Context) (int, []byte, error) {
	if p.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		return 0, nil, core.Permanent(fmt.Errorf("build request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	SignHeader(req.Header, p.key, p.id, p.now, p.body)
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, p.transportError(ctx, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil && resp.StatusCode/100 == 2 {
		// Accepted, even though the rest of the answer was lost.
		answer = nil
	}
	return resp.StatusCode, answer, statusError(resp, answer)
}

func (p signedPost) transportError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && p.timeout > 0 {
		return fmt.Errorf("receiver did not answer within %s", p.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, perhaps with credentials
	}
	return fmt.Errorf("post to %s: %w", redact(p.url), err)
}

// statusError classifies a receiver's answer; see signedPost.do.
func statusError(resp *http.Response, answer []byte) error {
	code := resp.StatusCode
	switch {
	case code >= 200 && code <= 299:
		return nil
	case code >= 300 && code <= 399:
		return core.Permanent(fmt.Errorf("receiver answered %d redirecting to %q; configure the final url",
			code, clip(resp.Header.Get("Location"), maxReasonBytes)))
	case code >= 400 && code <= 499 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return core.Permanent(fmt.Errorf("receiver answered %d: %s", code, reason(code, answer)))
	}
	return fmt.Errorf("receiver answered %d: %s", code, reason(code, answer))
}

// reason is the first maxReasonBytes of a receiver's answer, or the status
// text when it said nothing.
func reason(code int, answer []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(answer[:min(len(answer), maxReasonBytes)]), ""))
	if s == "" {
		return http.StatusText(code)
	}
	if len(answer) > maxReasonBytes {
		s += "…"
	}
	return s
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the configured url"
	}
	u.RawQuery = ""
	return u.Redacted()
}
