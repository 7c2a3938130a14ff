//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/switchboard-hq/switchboard/core"
)

func (e *meowEnv) outbound(id, text string) core.Outbound {
	return core.Outbound{MessageID: id, IdempotencyKey: id, Channel: testChannel, Text: text, Attempt: 1,
		To: core.ContactRef{ID: "+12065550131", Phone: "+12065550131"}}
}

func TestMeowSend_builds_WhatsApp_messages_with_upload_captions_voice_and_quotes(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	ctx := context.Background()
	reply := e.outbound("m_quote", "M please")
	reply.ReplyTo = "ABCD1"
	image := e.outbound("m_img", "Your label")
	image.Attachments = []core.Attachment{e.attachment("label.png", samplePNG)}
	voice := e.outbound("m_voice", "Listen")
	voice.Attachments = []core.Attachment{e.attachment("note.ogg", sampleOgg)}
	voice.Attachments[0].Voice = true
	doc := e.outbound("m_doc", "")
	doc.Attachments = []core.Attachment{e.attachment("invoice.pdf", samplePDF)}
	for _, out := range []core.Outbound{e.outbound("m_text", "Hello"), reply, image, voice, doc} {
		if _, err := e.adapter.Send(ctx, out); err != nil {
			t.Fatalf("%s: %v", out.MessageID, err)
		}
	}
	sent := e.fake.messages()
	if len(sent) != 6 {
		t.Fatalf("sent %d messages, want 6", len(sent))
	}
	for _, m := range sent {
		if m.To.String() != "12065550131@s.whatsapp.net" || !strings.HasPrefix(m.ID, "3EB0") || len(m.ID) != 22 {
			t.Errorf("message %s to %s, want a 3EB0 id of 22 characters to the contact", m.ID, m.To)
		}
	}
	checks := []struct {
		name string
		ok   func(*waE2E.Message) bool
	}{
		{"text", func(m *waE2E.Message) bool { return m.GetConversation() == "Hello" }},
		{"quote", func(m *waE2E.Message) bool {
			x := m.GetExtendedTextMessage()
			return x.GetText() == "M please" && x.GetContextInfo().GetStanzaID() == "ABCD1"
		}},
		{"image with caption", func(m *waE2E.Message) bool {
			x := m.GetImageMessage()
			return x.GetCaption() == "Your label" && x.GetMimetype() == "image/png" && x.GetDirectPath() != "" && x.GetFileLength() == uint64(len(samplePNG))
		}},
		{"voice text first", func(m *waE2E.Message) bool { return m.GetConversation() == "Listen" }},
		{"voice note", func(m *waE2E.Message) bool {
			x := m.GetAudioMessage()
			return x.GetPTT() && x.GetMimetype() == "audio/ogg; codecs=opus"
		}},
		{"document", func(m *waE2E.Message) bool {
			x := m.GetDocumentMessage()
			return x.GetFileName() == "invoice.pdf" && x.GetMimetype() == "application/pdf"
		}},
	}
	for i, c := range checks {
		if !c.ok(sent[i].Msg) {
			t.Errorf("message %d (%s) = %v", i, c.name, sent[i].Msg)
		}
	}
	if len(e.fake.uploads) != 3 || string(e.fake.uploads[0]) != string(samplePNG) {
		t.Errorf("uploads = %d, want the image, voice note and document bytes", len(e.fake.uploads))
	}
}

func TestMeowSend_paces_messages_to_one_chat(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", func(c *Config) { c.Pacing = 60 * time.Millisecond })
	e.run()
	e.waitHealth(HealthConnected)
	for i := range 4 {
		if _, err := e.adapter.Send(context.Background(), e.outbound(fmt.Sprintf("m_pace%d", i), "hi")); err != nil {
			t.Fatal(err)
		}
	}
	sent := e.fake.messages()
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].At.Sub(sent[i-1].At); gap < 55*time.Millisecond {
			t.Fatalf("messages %d and %d went %s apart, want at least the 60ms pacing", i-1, i, gap)
		}
	}
}

func TestMeowSend_disconnect_during_sends_queued_messages_go_out_once_after_reconnect(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	ctx := context.Background()
	if _, err := e.adapter.Send(ctx, e.outbound("m_before", "before")); err != nil {
		t.Fatal(err)
	}
	e.fake.setRefuse(errors.New("dial tcp: network is unreachable"))
	e.fake.drop()
	e.waitHealth(HealthDisconnected)

	// Three replies queue while the session is down; a fourth fails in
	// flight and is retried, as the bus would.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.adapter.Send(ctx, e.outbound(fmt.Sprintf("m_queued%d", i), fmt.Sprintf("queued %d", i)))
		}()
	}
	time.Sleep(30 * time.Millisecond)
	if n := e.fake.delivered(); n != 1 {
		t.Fatalf("%d messages went out while disconnected, want only the first", n)
	}
	e.fake.setRefuse(nil) // the network is back: the driver reconnects with backoff
	e.waitHealth(HealthConnected)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("queued %d: %v", i, err)
		}
	}
	e.fake.mu.Lock()
	e.fake.sendErrs = []error{errLost} // delivered, but the answer is lost
	e.fake.mu.Unlock()
	lost := e.outbound("m_lost", "lost answer")
	if _, err := e.adapter.Send(ctx, lost); err == nil || core.IsPermanent(err) {
		t.Fatalf("an unclear send: err = %v, want a retryable error", err)
	}
	if _, err := e.adapter.Send(ctx, lost); err != nil {
		t.Fatalf("retry: %v", err)
	}
	count := map[string]int{}
	for _, m := range e.fake.messages() {
		count[m.Msg.GetConversation()]++
	}
	for _, text := range []string{"before", "queued 0", "queued 1", "queued 2", "lost answer"} {
		if count[text] != 1 {
			t.Errorf("%q went out %d times, want once", text, count[text])
		}
	}
}

func TestMeowSend_fails_with_the_reason_after_send_timeout(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", func(c *Config) { c.SendTimeout = 80 * time.Millisecond })
	e.fake.setRefuse(errors.New("dial tcp: network is unreachable"))
	e.run()
	e.waitHealth(HealthDisconnected)
	start := time.Now()
	_, err := e.adapter.Send(context.Background(), e.outbound("m_late", "hello"))
	if !core.IsPermanent(err) || !strings.HasPrefix(err.Error(), "WhatsApp is disconnected: connecting to WhatsApp failed (dial tcp: network is unreachable); retrying; the message waited 80ms") {
		t.Fatalf("err = %v, want a permanent failure naming the state and the wait", err)
	}
	if waited := time.Since(start); waited < 70*time.Millisecond {
		t.Fatalf("failed after %s, before send_timeout", waited)
	}
	if e.fake.delivered() != 0 {
		t.Fatal("a message went out")
	}
}

func TestMeowSend_honours_a_cancelled_context_while_waiting(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.fake.setRefuse(errors.New("offline"))
	e.run()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := e.adapter.Send(ctx, e.outbound("m_cancel", "hi")); !errors.Is(err, context.DeadlineExceeded) || core.IsPermanent(err) {
		t.Fatalf("err = %v, want the context's error, to be retried", err)
	}
}

func TestMeowDelete(t *testing.T) {
	t.Run("refused by default, as DESIGN says", func(t *testing.T) {
		e := newMeowEnv(t, "+14155550100", nil)
		e.run()
		err := e.adapter.Delete(context.Background(), core.Message{ID: "msg_1", ProviderMessageID: "3EB0X", SentAt: time.Now()}, core.ContactRef{ID: "+12065550131"})
		var ce *core.CapabilityError
		if !errors.As(err, &ce) || ce.Reason != "WhatsApp cannot delete a message once it is sent" {
			t.Fatalf("Delete = %v, want the capability refusal", err)
		}
	})
	t.Run("with allow_delete, revoked through the hub within 48 hours", func(t *testing.T) {
		e := newMeowEnv(t, "+14155550100", func(c *Config) { c.AllowDelete = true })
		e.run()
		e.waitHealth(HealthConnected)
		e.clock.Set(time.Now())
		ctx := context.Background()
		e.fake.dispatch(incoming("IN1", &waE2E.Message{Conversation: s("hi")}))
		op, conv := e.assign("IN1")
		m, err := e.hub.Send(ctx, op, conv, core.Reply{Text: "Oops, wrong customer"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.deliver(m); err != nil {
			t.Fatal(err)
		}
		sentID := e.message(m.ID).ProviderMessageID
		if _, err := e.hub.DeleteSent(ctx, op, m.ID); err != nil {
			t.Fatalf("DeleteSent: %v", err)
		}
		last := e.fake.messages()[len(e.fake.messages())-1].Msg.GetProtocolMessage()
		if last.GetType() != waE2E.ProtocolMessage_REVOKE || last.GetKey().GetID() != sentID {
			t.Fatalf("last message = %v, want the revoke of %s", last, sentID)
		}
		if e.message(m.ID).DeletedAt == nil {
			t.Fatal("the message is not marked deleted")
		}
		m2, _ := e.hub.Send(ctx, op, conv, core.Reply{Text: "Another"})
		if err := e.deliver(m2); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Now().Add(49 * time.Hour))
		_, err = e.hub.DeleteSent(ctx, op, m2.ID)
		if err == nil || err.Error() != "WhatsApp deletes messages only within 48 hours of sending; this one is older" {
			t.Fatalf("DeleteSent after 49 hours = %v, want the window refusal", err)
		}
	})
}

func TestMeowMarkRead_sends_read_receipts(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	if err := e.adapter.MarkRead(context.Background(), core.ContactRef{ID: "+12065550131"}, []string{"A1", "A2"}); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.reads) != 1 || strings.Join(e.fake.reads[0], ",") != "A1,A2" {
		t.Fatalf("reads = %v, want [A1 A2]", e.fake.reads)
	}
}
