package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

func TestRenderTranscript_shows_the_conversation_without_notes(t *testing.T) {
	at := time.Date(2025, 3, 13, 9, 14, 0, 0, time.UTC)
	deleted := at.Add(time.Hour)
	got := core.RenderTranscript(core.Transcript{
		Conversation: core.Conversation{Topic: "Shipping", CreatedAt: at},
		Contact:      core.Contact{Name: "Dana Whitfield"},
		Channel:      "Email",
		Operators:    map[string]string{"op_1": "Sam"},
		Messages: []core.Message{
			{Direction: core.DirectionIn, Text: "Where is my order?", SentAt: at},
			{Direction: core.DirectionOut, Author: "op_1", Note: true, Text: "customer is angry", SentAt: at.Add(time.Minute)},
			{Direction: core.DirectionOut, Author: "op_1", Text: "It left today.", SentAt: at.Add(2 * time.Minute),
				Attachments: []core.Attachment{{Filename: "label.pdf", Size: 2048}}},
			{Direction: core.DirectionOut, Author: "op_gone", Text: "Tracking: 123", Status: core.DeliveryFailed, SentAt: at.Add(3 * time.Minute)},
			{Direction: core.DirectionIn, Text: "oops", DeletedAt: &deleted, SentAt: at.Add(4 * time.Minute)},
		},
	})
	want := `Conversation with Dana Whitfield
Channel: Email
Topic: Shipping
Started: 2025-03-13 09:14 UTC

[2025-03-13 09:14 UTC] Dana Whitfield:
Where is my order?

[2025-03-13 09:16 UTC] Sam:
It left today.
[file: label.pdf, 2.0 KB]

[2025-03-13 09:17 UTC] Operator (not delivered):
Tracking: 123

[2025-03-13 09:18 UTC] Dana Whitfield (deleted):
oops
`
	if got != want {
		t.Errorf("RenderTranscript =\n%s\nwant\n%s", got, want)
	}
}

// recordingMailer keeps the mail the hub sends, failing with err when set.
type recordingMailer struct {
	mu   sync.Mutex
	sent []core.Mail
	err  error
}

func (m *recordingMailer) SendMail(_ context.Context, mail core.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, mail)
	return nil
}

func (m *recordingMailer) mails() []core.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]core.Mail(nil), m.sent...)
}

type transcriptFixture struct {
	hub    *core.Hub
	store  *sqlite.Store
	clock  *coretest.Clock
	mailer *recordingMailer
	op     core.Operator
	conv   string
}

// newTranscriptFixture is a hub with a mail channel (nil mailer: none), an
// operator and one conversation assigned to them, with one message each way.
func newTranscriptFixture(t *testing.T, mailer core.Mailer) *transcriptFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, blobs := coretest.OpenStorage(t, dir)
	f := &transcriptFixture{store: st, clock: coretest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	if m, ok := mailer.(*recordingMailer); ok {
		f.mailer = m
	}
	var err error
	f.hub, err = core.NewHub(core.HubConfig{
		Store: st, Blobs: blobs, Clock: f.clock, Mailer: mailer, AutoResolveAfter: 24 * time.Hour,
		Channels: []core.ChannelInfo{{Name: "mail", Type: "email", Adapter: &fakeChannel{caps: core.Capabilities{Label: "Email"}}}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.op, err = f.hub.CreateOperator(ctx, core.NewOperator{Email: "sam@example.com", Name: "Sam", Password: "correct horse battery", Role: core.RoleOperator}); err != nil {
		t.Fatal(err)
	}
	r, err := f.hub.Receive(ctx, core.Inbound{Channel: "mail", Kind: core.KindMessage, ProviderMessageID: "m1",
		Contact: core.ContactRef{ID: "dana@example.org", Name: "Dana", Email: "dana@example.org"}, Text: "Where is my order?"})
	if err != nil {
		t.Fatal(err)
	}
	f.conv = r.ConversationID
	if _, err := f.hub.Assign(ctx, f.op, f.conv, core.Assignment{OperatorID: f.op.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Send(ctx, f.op, f.conv, core.Reply{Text: "It left today."}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *transcriptFixture) run(t *testing.T, text string) (core.CommandResult, error) {
	t.Helper()
	return f.hub.Execute(context.Background(), f.op, f.conv, text)
}

func TestSendCommand_mails_the_transcript_once_the_conversation_is_resolved(t *testing.T) {
	f := newTranscriptFixture(t, &recordingMailer{})
	res, err := f.run(t, "$send")
	if err != nil {
		t.Fatalf("$send: %v", err)
	}
	if res.Message == nil || !res.Message.Note || !strings.Contains(res.Message.Text, "when the conversation is resolved") {
		t.Errorf("$send answered %+v, want a note saying the transcript waits for the end", res.Message)
	}
	if n := len(f.mailer.mails()); n != 0 {
		t.Fatalf("%d mails sent before the conversation ended", n)
	}
	if _, err := f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusResolved); err != nil {
		t.Fatal(err)
	}
	mails := f.mailer.mails()
	if len(mails) != 1 || mails[0].To[0] != "dana@example.org" {
		t.Fatalf("mails = %+v, want one to the contact", mails)
	}
	for _, want := range []string{"Conversation with Dana", "Where is my order?", "Sam:\nIt left today."} {
		if !strings.Contains(mails[0].Text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, mails[0].Text)
		}
	}
	if strings.Contains(mails[0].Text, "when the conversation is resolved") {
		t.Error("the transcript shows the operators' note")
	}
	// Reopened and resolved again: the request was used up.
	if _, err := f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusOpen); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mailer.mails()); n != 1 {
		t.Errorf("%d mails after a second resolution, want still 1", n)
	}
}

func TestSendCommand_on_a_resolved_conversation_mails_at_once(t *testing.T) {
	f := newTranscriptFixture(t, &recordingMailer{})
	if _, err := f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run(t, "$send"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mailer.mails()); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
}

func TestSendCommand_waits_for_automatic_resolution_too(t *testing.T) {
	f := newTranscriptFixture(t, &recordingMailer{})
	if _, err := f.run(t, "$send"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(25 * time.Hour)
	if n, err := f.hub.AutoResolve(context.Background()); err != nil || n != 1 {
		t.Fatalf("AutoResolve = %d, %v", n, err)
	}
	if n := len(f.mailer.mails()); n != 1 {
		t.Errorf("%d mails after automatic resolution, want 1", n)
	}
}

func TestDispatchCommand_mails_the_transcript_to_the_address_now(t *testing.T) {
	f := newTranscriptFixture(t, &recordingMailer{})
	res, err := f.run(t, "$dispatch Lead <lead@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	mails := f.mailer.mails()
	if len(mails) != 1 || mails[0].To[0] != "lead@example.com" || !strings.Contains(mails[0].Text, "It left today.") {
		t.Fatalf("mails = %+v", mails)
	}
	if res.Message == nil || res.Message.Text != "Transcript mailed to lead@example.com" {
		t.Errorf("note = %+v", res.Message)
	}
}

func TestTranscriptCommands_refusals(t *testing.T) {
	t.Run("no mailer", func(t *testing.T) {
		f := newTranscriptFixture(t, nil)
		for _, cmd := range []string{"$send", "$dispatch lead@example.com"} {
			if _, err := f.run(t, cmd); core.ErrorCode(err) != core.CodeUnsupported || !strings.Contains(err.Error(), "email channel") {
				t.Errorf("%s: err = %v, want unsupported naming the email channel", cmd, err)
			}
		}
	})
	t.Run("contact without address", func(t *testing.T) {
		f := newTranscriptFixture(t, &recordingMailer{})
		empty := ""
		if _, err := f.hub.UpdateContact(context.Background(), f.op, f.conversation(t).ContactID, core.ContactPatch{Email: &empty}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.run(t, "$send"); core.ErrorCode(err) != core.CodeInvalid || !strings.Contains(err.Error(), "$email") {
			t.Errorf("err = %v, want invalid, pointing at $email", err)
		}
	})
	t.Run("mail server refuses", func(t *testing.T) {
		m := &recordingMailer{err: errors.New("550 relay denied")}
		f := newTranscriptFixture(t, m)
		if _, err := f.run(t, "$dispatch lead@example.com"); err == nil || !strings.Contains(err.Error(), "relay denied") {
			t.Errorf("err = %v, want the server's reason", err)
		}
		if _, err := f.run(t, "$send"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusResolved); err != nil {
			t.Fatalf("resolving failed because the mail did: %v", err)
		}
		msgs, _ := f.store.Messages(context.Background(), f.conv)
		if last := msgs[len(msgs)-1]; !last.Note || !strings.Contains(last.Text, "could not be mailed") {
			t.Errorf("last message = %+v, want a note that the transcript was not mailed", last)
		}
		m.mu.Lock()
		m.err = nil
		m.mu.Unlock()
		f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusOpen)
		f.hub.SetStatus(context.Background(), f.op, f.conv, core.StatusResolved)
		if n := len(m.mails()); n != 1 {
			t.Errorf("%d mails on the next resolution, want the kept request sent", n)
		}
	})
}

func (f *transcriptFixture) conversation(t *testing.T) core.Conversation {
	t.Helper()
	c, err := f.store.Conversation(context.Background(), f.conv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
