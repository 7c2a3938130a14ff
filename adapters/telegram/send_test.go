package telegram

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func outbound(text string, atts ...core.Attachment) core.Outbound {
	return core.Outbound{MessageID: "msg_1", ConversationID: "cnv_1", Channel: "telegram",
		To: core.ContactRef{ID: "710000101"}, Text: text, Attachments: atts, IdempotencyKey: "msg_1", Attempt: 1}
}

func TestSend_text_reaches_sendMessage_and_the_receipt_names_chat_and_message(t *testing.T) {
	e := newEnv(t, ModePolling)
	rc, err := e.ad.Send(context.Background(), outbound("Your pack ships tomorrow."))
	if err != nil {
		t.Fatal(err)
	}
	if rc.ProviderMessageID != "710000101:9001" {
		t.Errorf("ProviderMessageID = %q, want 710000101:9001", rc.ProviderMessageID)
	}
	calls := e.bot.callsOf("sendMessage")
	if len(calls) != 1 || calls[0].Params.Get("chat_id") != "710000101" || calls[0].Params.Get("text") != "Your pack ships tomorrow." {
		t.Fatalf("sendMessage calls = %+v", calls)
	}
	if calls[0].Params.Has("reply_to_message_id") || calls[0].Params.Has("parse_mode") {
		t.Errorf("params = %v, want no reply and plain text", calls[0].Params)
	}
}

func TestSend_reply_quotes_the_contact_message(t *testing.T) {
	e := newEnv(t, ModePolling)
	out := outbound("Yes, in green too.")
	out.ReplyTo = "710000101:4417"
	if _, err := e.ad.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	p := e.bot.callsOf("sendMessage")[0].Params
	if p.Get("reply_to_message_id") != "4417" || p.Get("allow_sending_without_reply") != "true" {
		t.Errorf("params = %v, want reply_to_message_id 4417", p)
	}
}

func TestSend_long_text_goes_as_several_messages_of_at_most_4096_UTF16_units(t *testing.T) {
	e := newEnv(t, ModePolling)
	text := strings.Repeat("Ünïcödé 😀 text; ", 400) // 6,800 UTF-16 units
	rc, err := e.ad.Send(context.Background(), outbound(text))
	if err != nil {
		t.Fatal(err)
	}
	calls := e.bot.callsOf("sendMessage")
	var joined strings.Builder
	for _, c := range calls {
		part := c.Params.Get("text")
		if n := utf16Len(part); n > MaxTextLen {
			t.Errorf("a part has %d UTF-16 units, over %d", n, MaxTextLen)
		}
		joined.WriteString(part)
	}
	if len(calls) != 2 || joined.String() != text {
		t.Errorf("%d parts, joined equal to the text: %v; want 2 parts", len(calls), joined.String() == text)
	}
	if rc.ProviderMessageID != "710000101:9001,9002" {
		t.Errorf("ProviderMessageID = %q, want both parts", rc.ProviderMessageID)
	}
}

func TestSend_files_go_by_multipart_upload_as_Telegram_shows_them(t *testing.T) {
	tests := []struct {
		name, mime string
		voice      bool
		method     string
		field      string
	}{
		{"photo", "image/jpeg", false, "sendPhoto", "photo"},
		{"png photo", "image/png", false, "sendPhoto", "photo"},
		{"voice note", "audio/ogg", true, "sendVoice", "voice"},
		{"music", "audio/mpeg", false, "sendAudio", "audio"},
		{"video", "video/mp4", false, "sendVideo", "video"},
		{"document", "application/pdf", false, "sendDocument", "document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, ModePolling)
			data := sample(tt.mime, 3000)
			att := e.putBlob("file-"+tt.field, data, tt.voice)
			if _, err := e.ad.Send(context.Background(), outbound("Here it is", att)); err != nil {
				t.Fatal(err)
			}
			calls := e.bot.callsOf(tt.method)
			if len(calls) != 1 || e.bot.sent() != 1 {
				t.Fatalf("%s calls = %d, messages = %d; want one", tt.method, len(calls), e.bot.sent())
			}
			c := calls[0]
			up, ok := c.Files[tt.field]
			if !ok || string(up.Data) != string(data) || up.Filename != "file-"+tt.field {
				t.Errorf("upload %q = %q (%d bytes), want the blob's %d bytes", tt.field, up.Filename, len(up.Data), len(data))
			}
			if c.Params.Get("caption") != "Here it is" || c.Params.Get("chat_id") != "710000101" {
				t.Errorf("params = %v, want the text as caption", c.Params)
			}
		})
	}
}

func TestSend_text_too_long_for_a_caption_goes_first_then_the_file(t *testing.T) {
	e := newEnv(t, ModePolling)
	att := e.putBlob("a.pdf", sample("application/pdf", 100), false)
	text := strings.Repeat("x", MaxCaptionLen+1)
	rc, err := e.ad.Send(context.Background(), outbound(text, att))
	if err != nil {
		t.Fatal(err)
	}
	if m, d := e.bot.callsOf("sendMessage"), e.bot.callsOf("sendDocument"); len(m) != 1 || len(d) != 1 || d[0].Params.Has("caption") {
		t.Fatalf("sendMessage %d, sendDocument %d (%v); want the text, then the file without caption", len(m), len(d), d)
	}
	if rc.ProviderMessageID != "710000101:9001,9002" {
		t.Errorf("ProviderMessageID = %q", rc.ProviderMessageID)
	}
}

func TestSend_429_is_waited_out_as_retry_after_says_then_sent(t *testing.T) {
	e := newEnv(t, ModePolling)
	e.bot.queue("sendMessage", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
	if _, err := e.ad.Send(context.Background(), outbound("hello")); err != nil {
		t.Fatalf("Send = %v, want success after the wait", err)
	}
	calls := e.bot.callsOf("sendMessage")
	if len(calls) != 2 {
		t.Fatalf("sendMessage calls = %d, want 2", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %s, want at least retry_after (1s)", gap)
	}
}

func TestSend_429_past_the_deadline_is_a_temporary_error_at_once(t *testing.T) {
	e := newEnv(t, ModePolling)
	e.bot.queue("sendMessage", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 30","parameters":{"retry_after":30}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := e.ad.Send(ctx, outbound("hello"))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 429 || ae.RetryAfter != 30*time.Second || core.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary 429 with retry_after 30s", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("Send waited %s although the wait could not fit before the deadline", time.Since(start))
	}
}

func TestSend_Telegram_refusal_is_permanent_with_its_description(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		want   string
	}{
		{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, "Forbidden: bot was blocked by the user"},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, "Bad Request: chat not found"},
	} {
		e := newEnv(t, ModePolling)
		e.bot.queue("sendMessage", tt.status, tt.body)
		_, err := e.ad.Send(context.Background(), outbound("hello"))
		if !core.IsPermanent(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Send = %v, want permanent with %q", err, tt.want)
		}
	}
}

func TestSend_upload_refusal_is_permanent_although_the_library_drops_the_code(t *testing.T) {
	e := newEnv(t, ModePolling)
	att := e.putBlob("a.pdf", sample("application/pdf", 100), false)
	e.bot.queue("sendDocument", 400, `{"ok":false,"error_code":400,"description":"Bad Request: file must be non-empty"}`)
	_, err := e.ad.Send(context.Background(), outbound("", att))
	if !core.IsPermanent(err) || !strings.Contains(err.Error(), "file must be non-empty") {
		t.Errorf("Send = %v, want permanent with Telegram's description", err)
	}
}

func TestSend_server_error_and_bad_contact_id(t *testing.T) {
	e := newEnv(t, ModePolling)
	e.bot.queue("sendMessage", 502, `<html>Bad Gateway</html>`)
	if _, err := e.ad.Send(context.Background(), outbound("hello")); err == nil || core.IsPermanent(err) {
		t.Errorf("Send on a 502 = %v, want a temporary error", err)
	}
	out := outbound("hello")
	out.To.ID = "mira@example.com"
	if _, err := e.ad.Send(context.Background(), out); !core.IsPermanent(err) {
		t.Errorf("Send to a non-Telegram id = %v, want permanent", err)
	}
}

func TestSend_retry_after_a_partial_failure_sends_only_the_rest(t *testing.T) {
	e := newEnv(t, ModePolling)
	att := e.putBlob("a.pdf", sample("application/pdf", 100), false)
	out := outbound(strings.Repeat("y", MaxTextLen+10), att) // two text parts and a file
	e.bot.queue("sendDocument", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	if _, err := e.ad.Send(context.Background(), out); err == nil || core.IsPermanent(err) {
		t.Fatalf("first Send = %v, want a temporary error", err)
	}
	rc, err := e.ad.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.bot.callsOf("sendMessage")); n != 2 {
		t.Errorf("sendMessage calls = %d, want the two text parts once", n)
	}
	if rc.ProviderMessageID != "710000101:9001,9002,9003" {
		t.Errorf("ProviderMessageID = %q, want all three parts", rc.ProviderMessageID)
	}
	if _, err := e.ad.state.Get(context.Background(), "send:msg_1"); !errors.Is(err, core.ErrNotFound) && core.ErrorCode(err) != core.CodeNotFound {
		t.Errorf("progress kept after success: %v", err)
	}
}

func TestSend_one_chat_gets_at_most_one_message_a_second(t *testing.T) {
	e := newEnv(t, ModePolling)
	for range 3 {
		if _, err := e.ad.Send(context.Background(), outbound("tick")); err != nil {
			t.Fatal(err)
		}
	}
	other := outbound("another chat")
	other.To.ID = "710000102"
	start := time.Now()
	if _, err := e.ad.Send(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("another chat waited %s behind the first", d)
	}
	calls := e.bot.callsOf("sendMessage")
	for i := 1; i < 3; i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < 950*time.Millisecond {
			t.Errorf("messages %d and %d to one chat %s apart, want >= 1s", i, i+1, gap)
		}
	}
}

func TestSend_waiting_for_the_chat_turn_honours_the_deadline(t *testing.T) {
	e := newEnv(t, ModePolling)
	if _, err := e.ad.Send(context.Background(), outbound("first")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := e.ad.Send(ctx, outbound("second")); err == nil || core.IsPermanent(err) {
		t.Errorf("Send = %v, want a temporary error: the turn comes after the deadline", err)
	}
	if n := len(e.bot.callsOf("sendMessage")); n != 1 {
		t.Errorf("sendMessage calls = %d, want 1", n)
	}
	// The cancelled turn is given back: the next message is not pushed
	// further back by it.
	start := time.Now()
	if _, err := e.ad.Send(context.Background(), outbound("third")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 1100*time.Millisecond {
		t.Errorf("third message waited %s, want at most about 1s", d)
	}
}
