package messenger

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// reply is an operator message to contact 25531901234567001, who wrote
// lastWrote before the clock.
func (e *env) reply(id, text string, lastWrote time.Duration) core.Outbound {
	return core.Outbound{
		MessageID: id, ConversationID: "cnv_1", Channel: testChannel, IdempotencyKey: id,
		To: core.ContactRef{ID: "25531901234567001"}, Text: text, Attempt: 1,
		LastContactAt: e.clock.Now().Add(-lastWrote),
	}
}

// attachment stores data in the env's blob store as a file to send.
func (e *env) attachment(name string, data []byte) core.Attachment {
	e.t.Helper()
	b, err := e.blobs.Put(context.Background(), bytes.NewReader(data), 1<<20)
	if err != nil {
		e.t.Fatal(err)
	}
	return core.Attachment{Filename: name, MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref}
}

func TestSend_reply_reaches_the_send_api_in_its_exact_format(t *testing.T) {
	tests := []struct {
		name      string
		lastWrote time.Duration
		want      string
	}{
		{"inside 24 hours: RESPONSE", 3 * time.Hour,
			`{"recipient":{"id":"25531901234567001"},"messaging_type":"RESPONSE","message":{"text":"Yes, we ship to Canada & the US <3"}}`},
		{"after 24 hours: the HUMAN_AGENT tag", 3 * 24 * time.Hour,
			`{"recipient":{"id":"25531901234567001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Yes, we ship to Canada & the US <3"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			rcpt, err := e.adapter.Send(context.Background(), e.reply("msg_1", "Yes, we ship to Canada & the US <3", tc.lastWrote))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if rcpt.ProviderMessageID != "m_fake0001" {
				t.Errorf("provider id = %q, want the message_id Graph answered", rcpt.ProviderMessageID)
			}
			reqs := e.graph.requests()
			if len(reqs) != 1 {
				t.Fatalf("graph got %d requests, want 1", len(reqs))
			}
			if got := string(reqs[0].Body); got != tc.want {
				t.Errorf("body = %s\nwant   %s", got, tc.want)
			}
			if reqs[0].ContentType != "application/json" {
				t.Errorf("content type = %q, want application/json", reqs[0].ContentType)
			}
		})
	}
}

func TestSend_attachment_is_uploaded_as_multipart_filedata(t *testing.T) {
	e := newEnv(t, Config{})
	png := cdnFiles[".png"]
	out := e.reply("msg_2", "", time.Hour)
	out.Attachments = []core.Attachment{e.attachment(`label "v2".png`, png)}
	if _, err := e.adapter.Send(context.Background(), out); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := e.graph.requests()
	if len(reqs) != 1 {
		t.Fatalf("graph got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	want := map[string]string{
		"recipient":      `{"id":"25531901234567001"}`,
		"messaging_type": "RESPONSE",
		"message":        `{"attachment":{"type":"image","payload":{"is_reusable":false}}}`,
	}
	for k, v := range want {
		if r.Form[k] != v {
			t.Errorf("field %s = %q, want %q", k, r.Form[k], v)
		}
	}
	if len(r.Form) != len(want) {
		t.Errorf("fields = %v, want exactly %v", r.Form, want)
	}
	if !bytes.Equal(r.File, png) || r.FileName != `label "v2".png` || r.FileType != "image/png" {
		t.Errorf("filedata = %d bytes %q %q, want the PNG as label \"v2\".png image/png", len(r.File), r.FileName, r.FileType)
	}
}

func TestSend_text_and_files_go_in_order_and_a_retry_sends_only_what_is_missing(t *testing.T) {
	e := newEnv(t, Config{})
	out := e.reply("msg_3", "Here are both documents", time.Hour)
	out.Attachments = []core.Attachment{
		e.attachment("a.pdf", []byte("%PDF-1.4\n%a\n")),
		e.attachment("b.mp4", cdnFiles[".mp4"]),
	}
	e.graph.answer(graphAnswer{}, graphAnswer{}, graphAnswer{http.StatusInternalServerError,
		`{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","is_transient":true,"code":2,"fbtrace_id":"A1"}}`})
	_, err := e.adapter.Send(context.Background(), out)
	if err == nil || core.IsPermanent(err) {
		t.Fatalf("first attempt: err = %v, want a temporary error", err)
	}
	out.Attempt = 2
	rcpt, err := e.adapter.Send(context.Background(), out)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	var types []string
	for _, r := range e.graph.requests() {
		if r.Form == nil {
			types = append(types, "text")
			continue
		}
		types = append(types, r.FileName)
	}
	if got, want := strings.Join(types, ","), "text,a.pdf,b.mp4,b.mp4"; got != want {
		t.Fatalf("requests = %s, want %s (the retry repeats only the failed part)", got, want)
	}
	if rcpt.ProviderMessageID != "m_fake0001" || e.graph.delivered() != 3 {
		t.Fatalf("receipt %q with %d accepted, want the text's id m_fake0001 and 3 accepted", rcpt.ProviderMessageID, e.graph.delivered())
	}
	if _, err := e.adapter.state.Get(context.Background(), "sent/"+out.MessageID+"/0"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("sent parts still remembered after success: %v", err)
	}
}

func TestSend_splits_text_at_2000_characters(t *testing.T) {
	e := newEnv(t, Config{})
	text := strings.Repeat("word ", 500) + strings.Repeat("🙂", 10) // 2,500 + 20 UTF-16 units
	if _, err := e.adapter.Send(context.Background(), e.reply("msg_4", text, time.Hour)); err != nil {
		t.Fatal(err)
	}
	reqs := e.graph.requests()
	if len(reqs) != 2 {
		t.Fatalf("graph got %d requests, want 2", len(reqs))
	}
	if !bytes.HasSuffix(reqs[0].Body, []byte(`word"}}`)) || !bytes.Contains(reqs[1].Body, []byte("🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂")) {
		t.Fatalf("split at the wrong place:\n%s\n%s", reqs[0].Body, reqs[1].Body)
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"", 10, nil},
		{"short", 10, []string{"short"}},
		{"one two three four", 10, []string{"one two", "three four"}},
		{"abcdefghijklmno", 10, []string{"abcdefghij", "klmno"}},
		{"ab\ncdefgh ij", 9, []string{"ab\ncdefgh", "ij"}},
		{"🙂🙂🙂", 4, []string{"🙂🙂", "🙂"}},
		{"🙂", 1, []string{"🙂"}},
	}
	for _, tc := range tests {
		got := splitText(tc.in, tc.max)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("splitText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestSend_graph_errors_are_permanent_or_retried(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
		reason    string
	}{
		{"person unavailable", 400,
			`{"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551,"error_subcode":1545041,"fbtrace_id":"AbC1"}}`,
			true, "Messenger refused the message: (#551) This person isn't available right now. (code 551, subcode 1545041)"},
		{"outside the allowed window", 400,
			`{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException","code":10,"error_subcode":2018278,"fbtrace_id":"AbC2"}}`,
			true, "Messenger refused the message: (#10) This message is sent outside of allowed window. (code 10, subcode 2018278)"},
		{"bad token", 400,
			`{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"AbC3"}}`,
			true, "Messenger refused the message: Invalid OAuth access token. (code 190)"},
		{"HTTP 429 without a body", 429, ``, false, "Messenger answered 429: Too Many Requests"},
		{"rate limit 613", 400,
			`{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613,"fbtrace_id":"AbC4"}}`,
			false, "Messenger answered 400: (#613) Calls to this api have exceeded the rate limit. (code 613)"},
		{"application limit 4", 403, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4}}`, false, ""},
		{"user limit 17", 400, `{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17}}`, false, ""},
		{"page limit 32", 400, `{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32}}`, false, ""},
		{"marked transient", 400, `{"error":{"message":"Temporary issue","type":"OAuthException","code":100,"is_transient":true}}`, false, ""},
		{"gateway error page", 502, `<html>Bad Gateway</html>`, false, "Messenger answered 502: Bad Gateway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			e.graph.answer(graphAnswer{tc.status, tc.body})
			_, err := e.adapter.Send(context.Background(), e.reply("msg_e", "hello", time.Hour))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if core.IsPermanent(err) != tc.permanent {
				t.Errorf("permanent = %v, want %v (%v)", core.IsPermanent(err), tc.permanent, err)
			}
			if tc.reason != "" && err.Error() != tc.reason {
				t.Errorf("reason = %q\nwant     %q", err.Error(), tc.reason)
			}
			var ge *GraphError
			if !errors.As(err, &ge) || ge.Status != tc.status {
				t.Errorf("err = %#v, want a *GraphError with status %d", err, tc.status)
			}
		})
	}
}

func TestSend_past_the_window_fails_permanently_without_calling_graph(t *testing.T) {
	tests := []struct {
		name       string
		humanAgent bool
		lastWrote  time.Duration
		reason     string
	}{
		{"9 days with the tag enabled", true, 9*24*time.Hour + 3*time.Hour,
			"Messenger allows replies only within 24 hours of the contact's last message (7 days with the human agent tag); the last message was 9 days ago"},
		{"30 hours with the tag disabled", false, 30 * time.Hour,
			"Messenger allows replies only within 24 hours of the contact's last message; the last message was 30 hours ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{HumanAgent: &tc.humanAgent})
			_, err := e.adapter.Send(context.Background(), e.reply("msg_w", "hello", tc.lastWrote))
			var ce *core.CapabilityError
			if !core.IsPermanent(err) || !errors.As(err, &ce) || err.Error() != tc.reason {
				t.Fatalf("err = %v, want the permanent capability error %q", err, tc.reason)
			}
			if n := len(e.graph.requests()); n != 0 {
				t.Fatalf("graph got %d requests, want none", n)
			}
		})
	}
}

func TestReplyMode(t *testing.T) {
	now := fixtureNow
	tests := []struct {
		name       string
		last       time.Time
		humanAgent bool
		want       sendMode
		reason     string
	}{
		{"unknown last message", time.Time{}, true, sendMode{MessagingType: typeResponse}, ""},
		{"exactly 24 hours", now.Add(-24 * time.Hour), false, sendMode{MessagingType: typeResponse}, ""},
		{"a clock ahead", now.Add(time.Hour), false, sendMode{MessagingType: typeResponse}, ""},
		{"25 hours with the tag", now.Add(-25 * time.Hour), true, sendMode{typeMessageTag, tagHumanAgent}, ""},
		{"exactly 7 days with the tag", now.Add(-7 * 24 * time.Hour), true, sendMode{typeMessageTag, tagHumanAgent}, ""},
		{"7 days and a minute", now.Add(-7*24*time.Hour - time.Minute), true, sendMode{},
			"Messenger allows replies only within 24 hours of the contact's last message (7 days with the human agent tag); the last message was 7 days ago"},
		{"25 hours without the tag", now.Add(-25 * time.Hour), false, sendMode{},
			"Messenger allows replies only within 24 hours of the contact's last message; the last message was 25 hours ago"},
		{"3 days without the tag", now.Add(-3*24*time.Hour - 5*time.Hour), false, sendMode{},
			"Messenger allows replies only within 24 hours of the contact's last message; the last message was 3 days ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replyMode(testChannel, tc.last, now, tc.humanAgent)
			if got != tc.want {
				t.Errorf("mode = %+v, want %+v", got, tc.want)
			}
			var ce *core.CapabilityError
			switch {
			case tc.reason == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tc.reason != "" && (!errors.As(err, &ce) || ce.Reason != tc.reason || ce.Channel != testChannel):
				t.Errorf("err = %#v, want a capability error %q", err, tc.reason)
			}
		})
	}
}
