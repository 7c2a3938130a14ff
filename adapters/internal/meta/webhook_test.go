package meta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const testVerifyToken = "verify-me-7Qm2"

// recorder is a Receive that records the bodies it was given and answers
// with err.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	err    error
}

func (r *recorder) receive(_ context.Context, body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, bytes.Clone(body))
	return r.err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func newHook(rec *recorder, limit int64) *Webhook {
	return &Webhook{AppSecret: testSecret, VerifyToken: testVerifyToken, MaxBodyBytes: limit, Receive: rec.receive}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandshake_echoes_the_challenge_only_for_the_verify_token(t *testing.T) {
	tests := []struct {
		name   string
		token  string // the Webhook's
		query  url.Values
		status int
		body   string
	}{
		{"subscribe with the token", testVerifyToken, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", testVerifyToken, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403, "verification refused"},
		{"token with a suffix", testVerifyToken, url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken + "x"}, "hub.challenge": {"1"}}, 403, "verification refused"},
		{"no token", testVerifyToken, url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, 403, "verification refused"},
		{"other mode", testVerifyToken, url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, 403, "verification refused"},
		{"no token configured verifies nothing", "", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {""}, "hub.challenge": {"1"}}, 403, "verification refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHook(&recorder{}, 1024)
			h.VerifyToken = tc.token
			rec := serve(h, httptest.NewRequest(http.MethodGet, "/webhooks/wa?"+tc.query.Encode(), nil))
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body, tc.status, tc.body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("content type = %q, want text/plain (the challenge is echoed)", ct)
			}
		})
	}
}

func post(body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/wa", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set(HeaderSignature, sig)
	}
	return r
}

func TestWebhook_refusals_never_reach_Receive(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	big := []byte(`{"object":"whatsapp_business_account","entry":[],"pad":"` + strings.Repeat("a", 200) + `"}`)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"missing signature", func() *http.Request { return post(body, "") }, 401},
		{"legacy sha1 signature alone", func() *http.Request {
			r := post(body, "")
			r.Header.Set("X-Hub-Signature", "sha1=0000")
			return r
		}, 401},
		{"bad signature", func() *http.Request { return post(body, Sign("other", body)) }, 403},
		{"signature of another body", func() *http.Request { return post(body, Sign(testSecret, big)) }, 403},
		{"oversize, declared", func() *http.Request { return post(big, Sign(testSecret, big)) }, 413},
		{"oversize, chunked", func() *http.Request {
			r := post(big, Sign(testSecret, big))
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(big)), -1
			return r
		}, 413},
		{"wrong method", func() *http.Request { return httptest.NewRequest(http.MethodPut, "/webhooks/wa", nil) }, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			got := serve(newHook(rec, 100), tc.req())
			if got.Code != tc.status {
				t.Fatalf("status = %d (%s), want %d", got.Code, got.Body, tc.status)
			}
			if rec.count() != 0 {
				t.Fatal("Receive was called for a refused request")
			}
		})
	}
}

func TestWebhook_answers_what_Receive_decides(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	tests := []struct {
		name   string
		err    error
		status int
		text   string
	}{
		{"stored", nil, 200, "EVENT_RECEIVED"},
		{"malformed", fmt.Errorf("%w: entry is not a list", ErrMalformed), 400, "malformed webhook body: entry is not a list"},
		{"storage down", errors.New("database is locked"), 503, "the event could not be stored; retry later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.err}
			got := serve(newHook(rec, 1024), post(body, Sign(testSecret, body)))
			if got.Code != tc.status || got.Body.String() != tc.text {
				t.Fatalf("got %d %q, want %d %q", got.Code, got.Body, tc.status, tc.text)
			}
			if rec.count() != 1 || !bytes.Equal(rec.bodies[0], body) {
				t.Fatalf("Receive got %q, want the exact body once", rec.bodies)
			}
		})
	}
}

func TestClip_keeps_valid_UTF8(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"añb", 2, "a…"}, // ñ is two bytes: cut inside it
	}
	for _, tc := range tests {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
