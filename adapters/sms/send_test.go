package sms

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

const customer = "+14155550123"

func outbound(id, text string, atts ...core.Attachment) core.Outbound {
	return core.Outbound{
		MessageID: id, ConversationID: "cnv_1", Channel: "sms", To: core.ContactRef{ID: customer, Phone: customer},
		Text: text, Attachments: atts, IdempotencyKey: id, Attempt: 1,
	}
}

func TestSend_posts_the_reply_form_encoded_to_Messages_json_and_Twilio_fetches_the_signed_media_URL(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL})
	img := r.blobs.attachment(t, samplePNG, false)
	rc, err := r.a.Send(t.Context(), outbound("msg_1", "Your order is ready 📦", img))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	posts := twilio.received()
	if len(posts) != 1 {
		t.Fatalf("Twilio received %d requests, want 1", len(posts))
	}
	p := posts[0]
	if rc.ProviderMessageID != "SM00000000000000000000000000000001" {
		t.Errorf("provider id = %q, want the sid Twilio returned", rc.ProviderMessageID)
	}
	mediaURL := p.form.Get("MediaUrl")
	want := url.Values{
		"To": {customer}, "MessagingServiceSid": {testService}, "Body": {"Your order is ready 📦"},
		"MediaUrl": {mediaURL}, "StatusCallback": {r.a.public + "/status"},
	}
	if !reflect.DeepEqual(p.form, want) {
		t.Errorf("form = %v\nwant %v", p.form, want)
	}
	if !strings.HasPrefix(mediaURL, r.a.public+"/media/") {
		t.Errorf("MediaUrl = %q, want a signed URL under %s/media/", mediaURL, r.a.public)
	}
	if len(p.fetched) != 1 || p.fetched[0].status != http.StatusOK || p.fetched[0].contentType != "image/png" || !bytes.Equal(p.fetched[0].body, samplePNG) {
		t.Errorf("Twilio fetched %+v from the MediaUrl, want 200 image/png with the image", p.fetched)
	}
}

func TestSend_uses_From_when_configured_instead_of_a_messaging_service(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL, From: "+16465550100"})
	if _, err := r.a.Send(t.Context(), outbound("msg_1", "hi")); err != nil {
		t.Fatal(err)
	}
	f := twilio.received()[0].form
	if f.Get("From") != "+16465550100" || f.Has("MessagingServiceSid") || f.Has("MediaUrl") {
		t.Errorf("form = %v, want From and neither MessagingServiceSid nor MediaUrl", f)
	}
}

func TestSend_after_a_429_no_request_leaves_before_Retry_After_has_passed(t *testing.T) {
	twilio := newFakeTwilio(t)
	twilio.script(twilioAnswer{status: http.StatusTooManyRequests, retryAfter: "1", code: 20429, message: "Too Many Requests"})
	r := newRig(t, Config{APIURL: twilio.URL})
	_, err := r.a.Send(t.Context(), outbound("msg_1", "first try"))
	if err == nil || core.IsPermanent(err) || !strings.Contains(err.Error(), "429") {
		t.Fatalf("Send after a 429 = %v, want a temporary error naming the 429", err)
	}
	if _, err := r.a.Send(t.Context(), outbound("msg_1", "first try")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	posts := twilio.received()
	if len(posts) != 2 {
		t.Fatalf("Twilio received %d requests, want 2", len(posts))
	}
	if gap := posts[1].at.Sub(posts[0].at); gap < time.Second {
		t.Errorf("the retry left %s after the 429, want at least the Retry-After of 1s", gap)
	}
}

func TestSend_classifies_Twilio_answers_as_permanent_or_temporary(t *testing.T) {
	tests := []struct {
		name      string
		answer    twilioAnswer
		permanent bool
		reason    string
	}{
		{"invalid number", twilioAnswer{status: 400, code: 21211, message: "The 'To' number +15005550001 is not a valid phone number."}, true,
			"Twilio refused the message: error 21211, The 'To' number +15005550001 is not a valid phone number."},
		{"bad credentials", twilioAnswer{status: 401, code: 20003, message: "Authentication Error - invalid username"}, true, "error 20003"},
		{"server error", twilioAnswer{status: 503, code: 20503, message: "Service unavailable"}, false, "503"},
		{"internal error", twilioAnswer{status: 500, code: 20500, message: "Internal Server Error"}, false, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			twilio := newFakeTwilio(t)
			twilio.script(tt.answer)
			r := newRig(t, Config{APIURL: twilio.URL})
			_, err := r.a.Send(t.Context(), outbound("msg_1", "hello"))
			if err == nil || core.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("Send = %v (permanent %v), want permanent %v with %q", err, core.IsPermanent(err), tt.permanent, tt.reason)
			}
		})
	}
}

func TestSend_a_Twilio_that_does_not_answer_in_time_is_a_temporary_failure(t *testing.T) {
	slow := newFakeTwilio(t)
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	r := newRig(t, Config{APIURL: slow.URL, Timeout: 50 * time.Millisecond})
	_, err := r.a.Send(t.Context(), outbound("msg_1", "hello"))
	if err == nil || core.IsPermanent(err) || !strings.Contains(err.Error(), "did not answer within 50ms") {
		t.Errorf("Send = %v, want a temporary timeout", err)
	}
}

func TestSend_refuses_attachments_outside_the_capabilities_before_calling_Twilio(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL})
	tests := []struct {
		name string
		att  core.Attachment
		want string
	}{
		{"a voice note", r.blobs.attachment(t, sampleOgg, true), "SMS accepts only JPEG, PNG and GIF images; this file is audio/ogg"},
		{"a PDF", r.blobs.attachment(t, samplePDF, false), "SMS accepts only JPEG, PNG and GIF images; this file is application/pdf"},
		{"a GIF over 5 MB", core.Attachment{MIMEType: "image/gif", Size: 6 << 20, Blob: "sha256:x"}, "SMS accepts files up to 5.0 MB; this file is 6.0 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.a.Send(t.Context(), outbound("msg_1", "", tt.att))
			var ce *core.CapabilityError
			if !core.IsPermanent(err) || !errors.As(err, &ce) || err.Error() != tt.want {
				t.Errorf("Send = %v, want a permanent refusal %q", err, tt.want)
			}
		})
	}
	if n := len(twilio.received()); n != 0 {
		t.Errorf("Twilio received %d requests, want none", n)
	}
}

func TestCheckSend_refuses_overlong_text_and_more_than_ten_images(t *testing.T) {
	r := newRig(t, Config{})
	tests := []struct {
		name string
		text string
		n    int
		want string
	}{
		{"1600 characters fit", strings.Repeat("a", 1600), 0, ""},
		{"1601 do not", strings.Repeat("a", 1601), 0, "SMS carries at most 1600 characters per message; this one has 1601"},
		{"emoji count twice", strings.Repeat("😊", 801), 0, "this one has 1602"},
		{"ten images fit", "x", 10, ""},
		{"eleven do not", "x", 11, "SMS carries at most 10 images per message; this one has 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: tt.text, Attachments: make([]core.Attachment, tt.n)})
			var ce *core.CapabilityError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckSend = %v, want nil", err)
			case tt.want != "" && (!errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckSend = %v, want a refusal with %q", err, tt.want)
			}
		})
	}
}

func TestSend_an_unreadable_opt_out_list_fails_closed(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL})
	r.state.err = errors.New("disk on fire")
	if err := r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: "hi"}); err == nil {
		t.Error("CheckSend passed without reading the opt-outs")
	}
	_, err := r.a.Send(t.Context(), outbound("msg_1", "hi"))
	if err == nil || core.IsPermanent(err) {
		t.Errorf("Send = %v, want a temporary error", err)
	}
	if n := len(twilio.received()); n != 0 {
		t.Errorf("Twilio received %d requests, want none", n)
	}
}
