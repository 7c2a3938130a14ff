package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func sampleOutbound() core.Outbound {
	return core.Outbound{
		MessageID: "msg_9", ConversationID: "cnv_1", Channel: "crm",
		To:   core.ContactRef{ID: "cust-1", Name: "Ann Lee", Email: "ann@example.com"},
		Text: "Your order ships today.", IdempotencyKey: "key-9", Operator: "op_1", Attempt: 1,
	}
}

func TestSend_2xx_is_sent_and_signed(t *testing.T) {
	hook := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"crm-77"}`))
	})
	f := newFixture(t, Config{URL: hook.URL + "/outbound"})
	ref, err := f.blobs.Put(context.Background(), strings.NewReader(string(pngPixel)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := sampleOutbound()
	out.Attachments = []core.Attachment{{Filename: "pixel.png", MIMEType: "image/png", Size: ref.Size, Blob: ref.Ref}}

	rc, err := f.ch.Send(context.Background(), out)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if rc.ProviderMessageID != "crm-77" {
		t.Errorf("ProviderMessageID = %q, want crm-77", rc.ProviderMessageID)
	}
	bodies, headers := hook.requests(t)
	if len(bodies) != 1 {
		t.Fatalf("hook got %d requests, want 1", len(bodies))
	}
	if id := headers[0].Get(HeaderID); id != "msg_9" {
		t.Errorf("webhook-id = %q, want the message id msg_9", id)
	}
	var got outboundMessage
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "message.created" || got.ID != "msg_9" || got.ConversationID != "cnv_1" ||
		got.Contact.ID != "cust-1" || got.Text != out.Text || got.Operator != "op_1" || got.IdempotencyKey != "key-9" {
		t.Errorf("body = %s", bodies[0])
	}
	if len(got.Attachments) != 1 || string(got.Attachments[0].Data) != string(pngPixel) ||
		got.Attachments[0].ContentType != "image/png" || got.Attachments[0].Size != int64(len(pngPixel)) {
		t.Errorf("attachments = %+v, want the PNG inline", got.Attachments)
	}
}

func TestSend_redelivery_carries_the_same_webhook_id(t *testing.T) {
	hook := newHookServer(t, nil)
	f := newFixture(t, Config{URL: hook.URL})
	for range 2 {
		if _, err := f.ch.Send(context.Background(), sampleOutbound()); err != nil {
			t.Fatal(err)
		}
	}
	_, headers := hook.requests(t)
	if a, b := headers[0].Get(HeaderID), headers[1].Get(HeaderID); a != b || a == "" {
		t.Errorf("webhook-ids %q and %q, want the same", a, b)
	}
}

func TestSend_errors_are_classified(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
		reason    string
	}{
		{"500 is temporary", 500, "database down", false, "receiver answered 500: database down"},
		{"503 is temporary", 503, "", false, "receiver answered 503: Service Unavailable"},
		{"408 is temporary", 408, "", false, "receiver answered 408"},
		{"429 is temporary", 429, "slow down", false, "receiver answered 429: slow down"},
		{"400 is permanent with reason", 400, `{"error":"unknown contact cust-1"}`, true, `receiver answered 400: {"error":"unknown contact cust-1"}`},
		{"404 is permanent", 404, "", true, "receiver answered 404: Not Found"},
		{"long reasons are cut at 200 bytes", 422, strings.Repeat("x", 300), true, "receiver answered 422: " + strings.Repeat("x", 200) + "…"},
		{"redirect is permanent", 301, "", true, "configure the final url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 301 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			f := newFixture(t, Config{URL: hook.URL})
			_, err := f.ch.Send(context.Background(), sampleOutbound())
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if core.IsPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v (err %v)", core.IsPermanent(err), tt.permanent, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to contain %q", err, tt.reason)
			}
		})
	}
}

func TestSend_timeout_is_temporary(t *testing.T) {
	release := make(chan struct{})
	hook := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	f := newFixture(t, Config{URL: hook.URL, Timeout: 50 * time.Millisecond})
	_, err := f.ch.Send(context.Background(), sampleOutbound())
	if err == nil || core.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	if !strings.Contains(err.Error(), "did not answer within 50ms") {
		t.Errorf("err = %q, want it to name the timeout", err)
	}
}

func TestSend_connection_refused_is_temporary(t *testing.T) {
	hook := newHookServer(t, nil)
	url := hook.URL
	hook.Close()
	f := newFixture(t, Config{URL: url})
	_, err := f.ch.Send(context.Background(), sampleOutbound())
	if err == nil || core.IsPermanent(err) || !strings.Contains(err.Error(), "post to") {
		t.Fatalf("err = %v, want a temporary connection error", err)
	}
}

func TestSend_without_url_is_permanent(t *testing.T) {
	f := newFixture(t, Config{})
	_, err := f.ch.Send(context.Background(), sampleOutbound())
	if !core.IsPermanent(err) || err.Error() != "channel has no url configured" {
		t.Errorf("err = %v, want permanent %q", err, "channel has no url configured")
	}
}

func TestSend_missing_blob_is_permanent(t *testing.T) {
	hook := newHookServer(t, nil)
	f := newFixture(t, Config{URL: hook.URL})
	out := sampleOutbound()
	out.Attachments = []core.Attachment{{Filename: "gone.pdf", Blob: "nope"}}
	if _, err := f.ch.Send(context.Background(), out); !core.IsPermanent(err) {
		t.Errorf("err = %v, want permanent", err)
	}
}

func TestDelete_posts_signed_message_deleted(t *testing.T) {
	hook := newHookServer(t, nil)
	f := newFixture(t, Config{URL: hook.URL})
	m := core.Message{ID: "msg_9", ConversationID: "cnv_1", ProviderMessageID: "crm-77"}
	if err := f.ch.Delete(context.Background(), m, core.ContactRef{ID: "cust-1"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	bodies, headers := hook.requests(t)
	var got deletedMessage
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	want := deletedMessage{Type: "message.deleted", ID: "msg_9", ConversationID: "cnv_1",
		Contact: outboundContact{ID: "cust-1"}, ProviderMessageID: "crm-77"}
	if got != want {
		t.Errorf("body = %+v, want %+v", got, want)
	}
	if id := headers[0].Get(HeaderID); id != "del_msg_9" {
		t.Errorf("webhook-id = %q, want del_msg_9 (not the reply's own id)", id)
	}
}

func TestConfig_Validate(t *testing.T) {
	wide := []string{"*/*", "application/x-custom"}
	narrow := []string{"image/*"}
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"minimal", Config{Secret: testSecret}, ""},
		{"full", Config{Secret: testSecret, URL: "https://crm.example.com/hook", AttachmentHosts: []string{"*.example.com"},
			Capabilities: core.CapabilityOverride{Attachments: &narrow}}, ""},
		{"no secret", Config{}, "secret is required"},
		{"bad secret", Config{Secret: "hunter2"}, "secret:"},
		{"relative url", Config{Secret: testSecret, URL: "/hook"}, "url:"},
		{"ftp url", Config{Secret: testSecret, URL: "ftp://x/y"}, "url:"},
		{"negative body limit", Config{Secret: testSecret, MaxBodyBytes: -1}, "max_body_bytes"},
		{"negative timeout", Config{Secret: testSecret, Timeout: -time.Second}, "timeout"},
		{"bad host", Config{Secret: testSecret, AttachmentHosts: []string{"https://x"}}, "attachment_hosts[0]"},
		{"capabilities wider is fine when covered", Config{Secret: testSecret, Capabilities: core.CapabilityOverride{Attachments: &wide}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew_capabilities(t *testing.T) {
	f := newFixture(t, Config{})
	caps := f.ch.Capabilities()
	if caps.Label != "channel crm" || !caps.DeleteSent || !caps.Voice || caps.Live ||
		caps.MaxSize() != 100<<20 || !caps.Accepts("audio/ogg") || caps.Verification != "external" || caps.Proactive != "always" {
		t.Errorf("default capabilities = %+v", caps)
	}

	noVoice, images := false, []string{"image/png", "image/jpeg"}
	f = newFixture(t, Config{Capabilities: core.CapabilityOverride{Voice: &noVoice, Attachments: &images}})
	caps = f.ch.Capabilities()
	if caps.Voice || caps.Accepts("application/pdf") || !caps.Accepts("image/png") {
		t.Errorf("narrowed capabilities = %+v", caps)
	}
	err := caps.CheckAttachment("crm", core.Attachment{MIMEType: "application/pdf", Size: 10})
	if err == nil || !strings.HasPrefix(err.Error(), "channel crm accepts only image/png, image/jpeg") {
		t.Errorf("refusal = %v", err)
	}

	tooBig := int64(200 << 20)
	_, err = New("crm", Config{Secret: testSecret, Capabilities: core.CapabilityOverride{MaxAttachmentSize: &tooBig}},
		Deps{Receiver: &fakeReceiver{}, Blobs: newMemBlobs()})
	if err == nil || !strings.Contains(err.Error(), "max_attachment_size") {
		t.Errorf("New with a widened limit = %v, want a refusal", err)
	}
}

func TestNew_requires_dependencies(t *testing.T) {
	if _, err := New("crm", Config{Secret: testSecret}, Deps{}); err == nil {
		t.Error("New without Receiver and Blobs succeeded")
	}
	if _, err := New("", Config{Secret: testSecret}, Deps{Receiver: &fakeReceiver{}, Blobs: newMemBlobs()}); err == nil {
		t.Error("New without a name succeeded")
	}
}
