package messenger

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHandshake_echoes_the_challenge_only_for_the_verify_token(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name     string
		query    url.Values
		status   int
		wantBody string
	}{
		{"subscribe with the token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403, ""},
		{"token with a suffix", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken + "x"}, "hub.challenge": {"1"}}, 403, ""},
		{"no token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, 403, ""},
		{"other mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.serve(httptest.NewRequest(http.MethodGet, "/webhooks/messenger?"+tc.query.Encode(), nil))
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
			if tc.wantBody != "" && rec.Body.String() != tc.wantBody {
				t.Fatalf("body = %q, want %q", rec.Body, tc.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("content type = %q, want text/plain (the challenge is echoed)", ct)
			}
		})
	}
}

// textBody is a signed-able message event from contact 7001.
func textBody(mid, text string) []byte {
	return []byte(page(item(`"message":{"mid":"` + mid + `","text":"` + text + `"}`)))
}

func TestWebhook_rejections_are_never_ingested(t *testing.T) {
	e := newEnv(t, Config{MaxBodyBytes: 1024})
	body := textBody("m_rej", "hello")
	legacyOnly := func(r *http.Request) { r.Header.Del(HeaderSignature); r.Header.Set("X-Hub-Signature", "sha1=0000") }
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"missing signature", func() *http.Request { return signed(body, "") }, 401},
		{"legacy sha1 signature alone", func() *http.Request { r := signed(body, Sign(testSecret, body)); legacyOnly(r); return r }, 401},
		{"bad signature", func() *http.Request { return signed(body, Sign("other", body)) }, 403},
		{"signature of another body", func() *http.Request { return signed(body, Sign(testSecret, textBody("m_rej", "hellO"))) }, 403},
		{"oversize, declared", func() *http.Request {
			big := textBody("m_big", strings.Repeat("a", 2000))
			return signed(big, Sign(testSecret, big))
		}, 413},
		{"oversize, chunked", func() *http.Request {
			big := textBody("m_big", strings.Repeat("a", 2000))
			r := signed(big, Sign(testSecret, big))
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(big)), -1
			return r
		}, 413},
		{"malformed but signed", func() *http.Request {
			bad := []byte(`{"object":"page","entry":{"oops":1}}`)
			return signed(bad, Sign(testSecret, bad))
		}, 400},
		{"wrong method", func() *http.Request { return httptest.NewRequest(http.MethodPut, "/webhooks/messenger", nil) }, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.rec.count()
			if rec := e.serve(tc.req()); rec.Code != tc.status {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.status)
			}
			if n := e.rec.count() - before; n != 0 {
				t.Fatalf("%d events reached the hub, want none", n)
			}
		})
	}
}

func signed(body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/messenger", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set(HeaderSignature, sig)
	}
	return r
}

func TestWebhook_storage_failure_answers_503_and_the_redelivery_stores_once(t *testing.T) {
	e := newEnv(t, Config{})
	body := textBody("m_retry", "are you there?")
	e.rec.failWith(errors.New("database is locked"))
	if rec := e.post(body); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503 so that Meta retries", rec.Code)
	}
	if _, err := e.store.MessageByProviderID(context.Background(), testChannel, "m_retry"); err == nil {
		t.Fatal("the failed delivery was stored")
	}
	e.rec.failWith(nil)
	for range 2 { // Meta's retry, then a duplicate redelivery
		if rec := e.post(body); rec.Code != http.StatusOK {
			t.Fatalf("redelivery status = %d (%s), want 200", rec.Code, rec.Body)
		}
	}
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, "m_retry")
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.store.Messages(context.Background(), m.ConversationID)
	if len(msgs) != 1 || msgs[0].Text != "are you there?" {
		t.Fatalf("conversation holds %d messages (%+v), want the one message", len(msgs), msgs)
	}
}

func TestWebhook_unknown_events_and_objects_are_acknowledged_and_skipped(t *testing.T) {
	e := newEnv(t, Config{})
	for _, body := range []string{
		page(item(`"optin":{"ref":"landing"}`), item(`"account_linking":{"status":"linked"}`)),
		`{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[]}]}`,
		`{"object":"page","entry":[]}`,
	} {
		if rec := e.post([]byte(body)); rec.Code != http.StatusOK {
			t.Errorf("%s: status = %d, want 200", body, rec.Code)
		}
	}
	if n := e.rec.count(); n != 0 {
		t.Fatalf("%d events reached the hub, want none", n)
	}
}

func TestWebhook_media_that_cannot_be_fetched(t *testing.T) {
	media := func(mid, u string) []byte {
		return []byte(page(item(`"message":{"mid":"` + mid + `","text":"see","attachments":[{"type":"image","payload":{"url":"` + u + `"}}]}`)))
	}
	t.Run("a host not allowed is never fetched and leaves a placeholder", func(t *testing.T) {
		e := newEnv(t, Config{})
		if rec := e.post(media("m_evil", "https://evil.example.com/x.jpg")); rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", rec.Code)
		}
		if got := e.cdn.urls(); len(got) != 0 {
			t.Fatalf("fetched %v", got)
		}
		wantStored(t, e, "m_evil", "see\n[Messenger: the contact sent an image that could not be downloaded (media host \"evil.example.com\" is not in media_hosts)]", 0)
	})
	t.Run("an expired url leaves a placeholder", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.cdn.setStatus(http.StatusForbidden)
		if rec := e.post(media("m_old", "https://cdn.fbsbx.com/v/old.jpg")); rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", rec.Code)
		}
		wantStored(t, e, "m_old", "see\n[Messenger: the contact sent an image that could not be downloaded (cdn.fbsbx.com answered 403 Forbidden)]", 0)
	})
	t.Run("a CDN outage answers 503 and the retry stores the image", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.cdn.setStatus(http.StatusBadGateway)
		body := media("m_later", "https://scontent.xx.fbcdn.net/v/later.jpg")
		if rec := e.post(body); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", rec.Code)
		}
		e.cdn.setStatus(0)
		if rec := e.post(body); rec.Code != http.StatusOK {
			t.Fatalf("retry status = %d, want 200", rec.Code)
		}
		wantStored(t, e, "m_later", "see", 1)
	})
}

func wantStored(t *testing.T, e *env, mid, text string, attachments int) {
	t.Helper()
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, mid)
	if err != nil {
		t.Fatalf("%s not stored: %v", mid, err)
	}
	if m.Text != text || len(m.Attachments) != attachments {
		t.Fatalf("stored %q with %d attachments, want %q with %d", m.Text, len(m.Attachments), text, attachments)
	}
}
