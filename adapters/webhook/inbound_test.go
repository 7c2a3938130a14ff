package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// pngPixel is a 1x1 PNG, sniffed as image/png.
var pngPixel, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")

const simpleBody = `{"id":"ext-1","contact":{"id":"cust-1","name":"Ann Lee","email":"ann@example.com","verified":true},"text":"Where is my order?","sent_at":"2024-05-01T11:59:00Z"}`

func decodeReply(t *testing.T, rec *httptest.ResponseRecorder) (receipt, errorDetail) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var ok receipt
	var bad errorBody
	raw := rec.Body.Bytes()
	if err := json.Unmarshal(raw, &ok); err != nil {
		t.Fatalf("answer %q is not JSON: %v", raw, err)
	}
	_ = json.Unmarshal(raw, &bad)
	return ok, bad.Error
}

// wantError checks an error answer's status, code and message.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, reason string) {
	t.Helper()
	_, e := decodeReply(t, rec)
	if rec.Code != status || e.Code != code || !strings.Contains(e.Message, reason) {
		t.Errorf("got %d %q %q, want %d %q mentioning %q", rec.Code, e.Code, e.Message, status, code, reason)
	}
}

func TestInbound_stored_message_is_202_with_ids(t *testing.T) {
	f := newFixture(t, Config{})
	rec := f.post(t, simpleBody)
	got, _ := decodeReply(t, rec)
	if rec.Code != http.StatusAccepted || got.MessageID != "msg_1" || got.ConversationID != "cnv_1" {
		t.Fatalf("got %d %+v, want 202 with msg_1 and cnv_1", rec.Code, got)
	}
	in := f.recv.received()
	if len(in) != 1 {
		t.Fatalf("receiver got %d messages, want 1", len(in))
	}
	want := core.Inbound{
		Channel: "crm", ChannelType: "webhook", Kind: core.KindMessage, ProviderMessageID: "ext-1",
		Contact: core.ContactRef{ID: "cust-1", Name: "Ann Lee", Email: "ann@example.com", Verified: true},
		Text:    "Where is my order?", SentAt: time.Date(2024, 5, 1, 11, 59, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(in[0], want) {
		t.Errorf("receiver got %+v\nwant %+v", in[0], want)
	}
}

func TestInbound_duplicate_is_200_with_first_ids(t *testing.T) {
	f := newFixture(t, Config{})
	f.recv.Receipt.Duplicate = true
	rec := f.post(t, simpleBody)
	got, _ := decodeReply(t, rec)
	if rec.Code != http.StatusOK || got.MessageID != "msg_1" || got.ConversationID != "cnv_1" {
		t.Errorf("got %d %+v, want 200 with msg_1 and cnv_1", rec.Code, got)
	}
}

func TestInbound_unauthenticated_is_401(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name   string
		sign   func(h http.Header)
		reason string
	}{
		{"no headers", func(h http.Header) {}, "missing webhook-id header"},
		{"no signature", func(h http.Header) {
			SignHeader(h, key, "wh_1", testNow, []byte(simpleBody))
			h.Del(HeaderSignature)
		}, "missing webhook-signature header"},
		{"other secret", func(h http.Header) {
			SignHeader(h, []byte("another-key-of-24-bytes!"), "wh_1", testNow, []byte(simpleBody))
		}, "no signature matches"},
		{"signed another body", func(h http.Header) {
			SignHeader(h, key, "wh_1", testNow, []byte(`{"id":"x"}`))
		}, "no signature matches"},
		{"replayed an hour later", func(h http.Header) {
			SignHeader(h, key, "wh_1", testNow.Add(-time.Hour), []byte(simpleBody))
		}, "stale timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(simpleBody))
			tt.sign(req.Header)
			rec := f.serve(req)
			wantError(t, rec, http.StatusUnauthorized, "unauthorized", tt.reason)
			if n := len(f.recv.received()); n != 0 {
				t.Errorf("receiver got %d messages, want none", n)
			}
		})
	}
}

func TestInbound_malformed_is_400_with_reason(t *testing.T) {
	f := newFixture(t, Config{})
	rec := f.post(t, `{"id":"1","contact":{"id":"c"},"txt":"hi"}`)
	wantError(t, rec, http.StatusBadRequest, "malformed", `unknown field "txt"`)
	rec = f.post(t, `{"id":"1","contact":{"id":"c"}}`)
	wantError(t, rec, http.StatusBadRequest, "malformed", "needs text or at least one attachment")
}

func TestInbound_body_over_max_body_bytes_is_413(t *testing.T) {
	f := newFixture(t, Config{MaxBodyBytes: 100})
	body := `{"id":"1","contact":{"id":"c"},"text":"` + strings.Repeat("a", 200) + `"}`
	rec := f.post(t, body)
	wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large", "larger than 100 bytes")
}

func TestInbound_refuses_other_methods_and_media_types(t *testing.T) {
	f := newFixture(t, Config{})
	rec := f.serve(httptest.NewRequest(http.MethodGet, "/", nil))
	wantError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed", "POST")
	if rec.Header().Get("Allow") != http.MethodPost {
		t.Errorf("Allow = %q, want POST", rec.Header().Get("Allow"))
	}
	for _, ct := range []string{"text/plain", "application/json; charset=iso-8859-1"} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(simpleBody))
		req.Header.Set("Content-Type", ct)
		SignHeader(req.Header, testKey(t), "wh_1", testNow, []byte(simpleBody))
		wantError(t, f.serve(req), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	}
}

func TestInbound_base64_attachment_is_stored_with_sniffed_type(t *testing.T) {
	f := newFixture(t, Config{})
	body := fmt.Sprintf(`{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":%q,"filename":"pixel.gif","content_type":"image/gif"}]}`,
		base64.StdEncoding.EncodeToString(pngPixel))
	if rec := f.post(t, body); rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	atts := f.recv.received()[0].Attachments
	if len(atts) != 1 {
		t.Fatalf("got %d attachments, want 1", len(atts))
	}
	a := atts[0]
	if a.MIMEType != "image/png" || a.Size != int64(len(pngPixel)) || a.Filename != "pixel.gif" || a.Flagged {
		t.Errorf("attachment = %+v, want image/png (sniffed, not the declared gif), %d bytes, unflagged", a, len(pngPixel))
	}
	if !bytes.Equal(f.blobs.get(a.Blob), pngPixel) {
		t.Errorf("blob %s does not hold the decoded bytes", a.Blob)
	}
}

func TestInbound_attachment_outside_capabilities_is_stored_but_flagged(t *testing.T) {
	jpegOnly := []string{"image/jpeg"}
	f := newFixture(t, Config{Capabilities: core.CapabilityOverride{Attachments: &jpegOnly}})
	body := fmt.Sprintf(`{"id":"1","contact":{"id":"c"},"text":"pic","attachments":[{"data_base64":%q}]}`,
		base64.StdEncoding.EncodeToString(pngPixel))
	if rec := f.post(t, body); rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	a := f.recv.received()[0].Attachments[0]
	if !a.Flagged || f.blobs.get(a.Blob) == nil {
		t.Errorf("attachment = %+v, want stored and flagged", a)
	}
}

func TestInbound_attachment_over_size_limit_is_413(t *testing.T) {
	limit := int64(10)
	f := newFixture(t, Config{Capabilities: core.CapabilityOverride{MaxAttachmentSize: &limit}})
	body := fmt.Sprintf(`{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":%q}]}`,
		base64.StdEncoding.EncodeToString(pngPixel))
	wantError(t, f.post(t, body), http.StatusRequestEntityTooLarge, "too_large", "attachments[0]")
	if n := len(f.recv.received()); n != 0 {
		t.Errorf("receiver got %d messages, want none", n)
	}
}

func TestInbound_url_attachment_is_fetched_and_stored(t *testing.T) {
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pixel":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(pngPixel)
		case "/moved":
			http.Redirect(w, r, "/pixel", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer files.Close()
	f := newFixture(t, Config{AttachmentHosts: []string{"127.0.0.1"}})
	for _, path := range []string{"/pixel", "/moved"} {
		body := fmt.Sprintf(`{"id":%q,"contact":{"id":"c"},"attachments":[{"url":%q}]}`, path, files.URL+path)
		if rec := f.post(t, body); rec.Code != http.StatusAccepted {
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
	}
	for _, in := range f.recv.received() {
		a := in.Attachments[0]
		if a.MIMEType != "image/png" || a.Filename != "pixel" && a.Filename != "moved" || !bytes.Equal(f.blobs.get(a.Blob), pngPixel) {
			t.Errorf("%s: attachment = %+v, want the fetched PNG", in.ProviderMessageID, a)
		}
	}
}

func TestInbound_url_attachment_refusals(t *testing.T) {
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.NotFound(w, r)
		case "/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/elsewhere":
			http.Redirect(w, r, "http://evil.example/x", http.StatusFound)
		case "/big":
			w.Write(bytes.Repeat([]byte("a"), 100))
		}
	}))
	defer files.Close()
	limit := int64(50)
	tests := []struct {
		name, path string
		hosts      []string
		status     int
		code       string
		reason     string
	}{
		{"host not allowed", "/gone", []string{"files.example.com"}, 400, "malformed", `host "127.0.0.1" is not in the channel's attachment_hosts`},
		{"redirect to a host not allowed", "/elsewhere", []string{"127.0.0.1"}, 400, "malformed", `host "evil.example"`},
		{"not found", "/gone", nil, 400, "attachment_unavailable", "404"},
		{"server error", "/broken", nil, 502, "attachment_unavailable", "500"},
		{"over the size limit", "/big", nil, 413, "too_large", "attachments[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{AttachmentHosts: tt.hosts, Capabilities: core.CapabilityOverride{MaxAttachmentSize: &limit}})
			body := fmt.Sprintf(`{"id":"1","contact":{"id":"c"},"attachments":[{"url":%q}]}`, files.URL+tt.path)
			wantError(t, f.post(t, body), tt.status, tt.code, tt.reason)
		})
	}
}

func TestInbound_receiver_errors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		reason string
	}{
		{"invalid is 400", core.Invalidf("contact is blocked"), 400, "invalid", "contact is blocked"},
		{"too large is 413", core.TooLargef("text too long"), 413, "too_large", "text too long"},
		{"anything else is 503 without detail", errors.New("database is locked"), 503, "unavailable", "retry later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			f.recv.Err = tt.err
			rec := f.post(t, simpleBody)
			wantError(t, rec, tt.status, tt.code, tt.reason)
			if tt.status == 503 && strings.Contains(rec.Body.String(), "database") {
				t.Errorf("503 answer leaks the internal error: %s", rec.Body)
			}
		})
	}
}

func TestInbound_blob_store_failure_is_503(t *testing.T) {
	f := newFixture(t, Config{})
	f.blobs.err = errors.New("disk full")
	body := `{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":"aGVsbG8="}]}`
	wantError(t, f.post(t, body), http.StatusServiceUnavailable, "unavailable", "retry later")
}
