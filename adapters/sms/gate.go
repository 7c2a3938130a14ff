package sms

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Retry-After handling.
const (
	// defaultRetryAfter is assumed when a 429 names no wait.
	defaultRetryAfter = time.Second
	// maxRetryAfter caps the wait a provider may impose.
	maxRetryAfter = time.Hour
	// maxGateWait is the longest Send blocks for a Retry-After; a longer
	// wait fails the attempt at once (temporarily) so the bus backs off.
	maxGateWait = 30 * time.Second
)

// retryGate holds back every request to the provider until a Retry-After
// has passed. It uses the monotonic wall clock, not the injected one: it
// paces real requests.
type retryGate struct {
	mu    sync.Mutex
	until time.Time
}

// block holds requests back until t (never shortening an earlier block).
func (g *retryGate) block(t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until = t
	}
}

// wait returns once requests may go, or an error when ctx ends first or
// the wait would exceed maxGateWait.
func (g *retryGate) wait(ctx context.Context) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if d > maxGateWait {
		return fmt.Errorf("the provider asked to wait %s before the next request (Retry-After)", d.Round(time.Second))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// rateLimitError is a provider's 429: temporary, and no request may leave
// before until.
type rateLimitError struct {
	provider string
	until    time.Time
	wait     time.Duration
}

func (e *rateLimitError) Error() string {
	return fmt.Sprintf("%s answered 429 Too Many Requests; retrying after %s", e.provider, e.wait)
}

// rateLimited reads a 429 answer's Retry-After (seconds or an HTTP date).
func rateLimited(provider string, resp *http.Response) *rateLimitError {
	d := defaultRetryAfter
	if v := strings.TrimSpace(resp.Header.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			d = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(v); err == nil {
			d = time.Until(t)
		}
	}
	d = min(max(d, 0), maxRetryAfter)
	return &rateLimitError{provider: provider, until: time.Now().Add(d), wait: d}
}

// providerError is a provider's refusal of a message: its error code and
// message, shown to the operator.
type providerError struct {
	provider string
	status   int
	code     string
	message  string
}

func (e *providerError) Error() string {
	switch {
	case e.code != "" && e.message != "":
		return fmt.Sprintf("%s refused the message: error %s, %s", e.provider, e.code, e.message)
	case e.message != "":
		return fmt.Sprintf("%s refused the message: %s", e.provider, e.message)
	}
	return fmt.Sprintf("%s refused the message with %d %s", e.provider, e.status, http.StatusText(e.status))
}
