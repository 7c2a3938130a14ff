package whatsapp

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// outbound is a reply to Kemal inside the window.
func (e *cloudEnv) outbound(id, text string) core.Outbound {
	return core.Outbound{
		MessageID: id, ConversationID: "cnv_1", Channel: testChannel, IdempotencyKey: id,
		To: core.ContactRef{ID: "+12065550131", Phone: "+12065550131"}, Text: text,
		LastContactAt: e.clock.Now().Add(-time.Hour), Attempt: 1,
	}
}

func TestCloudSend_bodies_are_the_Cloud_API_wire_format(t *testing.T) {
	const to = `"messaging_product":"whatsapp","recipient_type":"individual","to":"12065550131"`
	tests := []struct {
		name   string
		out    func(e *cloudEnv) core.Outbound
		want   []string // message bodies, in order
		upload []string // uploaded files' names
	}{
		{"text", func(e *cloudEnv) core.Outbound { return e.outbound("m1", "Size M & L <in stock>") },
			[]string{`{` + to + `,"type":"text","text":{"preview_url":false,"body":"Size M & L <in stock>"}}`}, nil},
		{"reply with context", func(e *cloudEnv) core.Outbound {
			o := e.outbound("m2", "Yes")
			o.ReplyTo = "wamid.abc"
			return o
		}, []string{`{` + to + `,"context":{"message_id":"wamid.abc"},"type":"text","text":{"preview_url":false,"body":"Yes"}}`}, nil},
		{"image with the text as caption", func(e *cloudEnv) core.Outbound {
			o := e.outbound("m3", "Your label")
			o.Attachments = []core.Attachment{e.attachment("label.png", samplePNG)}
			return o
		}, []string{`{` + to + `,"type":"image","image":{"id":"upload1","caption":"Your label"}}`}, []string{"label.png"}},
		{"document keeps its name", func(e *cloudEnv) core.Outbound {
			o := e.outbound("m4", "")
			o.Attachments = []core.Attachment{e.attachment("invoice 61022.pdf", samplePDF)}
			return o
		}, []string{`{` + to + `,"type":"document","document":{"id":"upload1","filename":"invoice 61022.pdf"}}`}, []string{"invoice 61022.pdf"}},
		{"audio takes no caption: text first", func(e *cloudEnv) core.Outbound {
			o := e.outbound("m5", "Listen")
			o.Attachments = []core.Attachment{e.attachment("note.ogg", sampleOgg)}
			o.Attachments[0].Voice = true
			return o
		}, []string{
			`{` + to + `,"type":"text","text":{"preview_url":false,"body":"Listen"}}`,
			`{` + to + `,"type":"audio","audio":{"id":"upload2"}}`,
		}, []string{"note.ogg"}},
		{"template with values", func(e *cloudEnv) core.Outbound { return e.outbound("m6", "/template order_update 61022 | Tuesday") },
			[]string{`{` + to + `,"type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"61022"},{"type":"text","text":"Tuesday"}]}]}}`}, nil},
		{"template without values", func(e *cloudEnv) core.Outbound { return e.outbound("m7", "/template hello_again") },
			[]string{`{` + to + `,"type":"template","template":{"name":"hello_again","language":{"code":"en"}}}`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCloudEnv(t, nil)
			rc, err := e.adapter.Send(context.Background(), tc.out(e))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := e.graph.messages(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("message bodies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if rc.ProviderMessageID != "wamid.fake0001" {
				t.Errorf("receipt = %q, want the first message's wamid", rc.ProviderMessageID)
			}
			var uploads []string
			for _, r := range e.graph.requests() {
				if r.File != nil {
					uploads = append(uploads, r.FileName)
					if r.Form["type"] == "" || r.FileType != r.Form["type"] {
						t.Errorf("upload of %s: type field %q, part type %q", r.FileName, r.Form["type"], r.FileType)
					}
				}
			}
			if strings.Join(uploads, ",") != strings.Join(tc.upload, ",") {
				t.Errorf("uploads = %v, want %v", uploads, tc.upload)
			}
		})
	}
}

func TestCloudSend_long_text_is_split_at_4096_characters(t *testing.T) {
	e := newCloudEnv(t, nil)
	text := strings.Repeat("é", 4096) + " tail"
	if _, err := e.adapter.Send(context.Background(), e.outbound("m_long", text)); err != nil {
		t.Fatal(err)
	}
	if got := e.graph.messages(); len(got) != 2 || !strings.Contains(got[1], `"body":"tail"`) {
		t.Fatalf("sent %d messages, want 2 with the tail in the second", len(got))
	}
}

func TestCloudSend_errors_are_classified_for_the_bus(t *testing.T) {
	tests := []struct {
		name      string
		answer    graphAnswer
		permanent bool
		text      string
	}{
		{"throughput limit is retried", graphAnswer{http.StatusTooManyRequests,
			`{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"A1"}}`}, false,
			"WhatsApp answered 429: (#130429) Rate limit hit (code 130429)"},
		{"server error is retried", graphAnswer{http.StatusInternalServerError, `oops`}, false, "WhatsApp answered 500: Internal Server Error"},
		{"re-engagement refusal is final, with Meta's details", graphAnswer{http.StatusBadRequest,
			`{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"error_subcode":2494010,"fbtrace_id":"A2"}}`},
			true, "WhatsApp refused the message: (#131047) Re-engagement message (code 131047, subcode 2494010): Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCloudEnv(t, nil)
			e.graph.answer(tc.answer)
			_, err := e.adapter.Send(context.Background(), e.outbound("m_err", "hello"))
			if err == nil || core.IsPermanent(err) != tc.permanent || err.Error() != tc.text {
				t.Fatalf("err = %v (permanent %v), want %q (permanent %v)", err, core.IsPermanent(err), tc.text, tc.permanent)
			}
		})
	}
}

func TestCloudSend_a_failed_part_is_not_sent_again_on_retry(t *testing.T) {
	e := newCloudEnv(t, nil)
	out := e.outbound("m_parts", "Listen")
	out.Attachments = []core.Attachment{e.attachment("note.ogg", sampleOgg)}
	e.graph.answer(graphAnswer{}, graphAnswer{http.StatusServiceUnavailable, `{"error":{"message":"Service unavailable","code":131016}}`})
	_, err := e.adapter.Send(context.Background(), out)
	if err == nil || core.IsPermanent(err) || !strings.HasPrefix(err.Error(), "part 2 of 2: ") {
		t.Fatalf("first attempt: err = %v, want a retryable failure of part 2 of 2", err)
	}
	rc, err := e.adapter.Send(context.Background(), out)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	var texts, audios int
	for _, b := range e.graph.messages() {
		texts += strings.Count(b, `"type":"text"`)
		audios += strings.Count(b, `"type":"audio"`)
	}
	if texts != 1 || audios != 2 || rc.ProviderMessageID != "wamid.fake0001" {
		t.Fatalf("text sent %d times, audio %d (receipt %q); want the text once, the audio again, the text's wamid", texts, audios, rc.ProviderMessageID)
	}
}

func TestCloudSend_refuses_media_over_16_MB_before_uploading(t *testing.T) {
	e := newCloudEnv(t, nil)
	out := e.outbound("m_big", "")
	out.Attachments = []core.Attachment{{Filename: "clip.mp4", MIMEType: "video/mp4", Size: 20 << 20, Blob: "sha256:x"}}
	_, err := e.adapter.Send(context.Background(), out)
	var ce *core.CapabilityError
	const want = "WhatsApp accepts images, audio and video up to 16.0 MB (documents up to 100.0 MB); this file is 20.0 MB"
	if !core.IsPermanent(err) || !errors.As(err, &ce) || ce.Reason != want {
		t.Fatalf("err = %v, want the permanent refusal %q", err, want)
	}
	if len(e.graph.requests()) != 0 {
		t.Fatal("the Cloud API was called")
	}
}

func TestCloudMarkRead_marks_each_message_read(t *testing.T) {
	e := newCloudEnv(t, nil)
	if err := e.adapter.MarkRead(context.Background(), core.ContactRef{ID: "+12065550131"}, []string{"wamid.a", "wamid.b"}); err != nil {
		t.Fatal(err)
	}
	want := `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.a"}` + "\n" +
		`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.b"}`
	if got := strings.Join(e.graph.messages(), "\n"); got != want {
		t.Fatalf("bodies:\n%s\nwant:\n%s", got, want)
	}
}
