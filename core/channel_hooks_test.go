package core_test

import (
	"context"
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

// liveChannel is a fake live channel (a web chat) implementing every
// optional interface the hub consults for live sessions.
type liveChannel struct {
	fakeChannel
	mu        sync.Mutex
	typing    []core.Typing
	ratings   []core.RatingRequest
	verifies  []core.Verification
	transfers []core.Transfer
	deleted   []string
	refuse    error // returned by RequestRating and Delete when set
}

func (l *liveChannel) NotifyTyping(_ context.Context, t core.Typing) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.typing = append(l.typing, t)
	return nil
}

func (l *liveChannel) RequestRating(_ context.Context, r core.RatingRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refuse != nil {
		return l.refuse
	}
	l.ratings = append(l.ratings, r)
	return nil
}

func (l *liveChannel) StartVerification(_ context.Context, v core.Verification) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.verifies = append(l.verifies, v)
	return nil
}

func (l *liveChannel) TransferLink(_ context.Context, t core.Transfer) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.transfers = append(l.transfers, t)
	return "https://hub.example.com/webchat/web/continue?t=abc", nil
}

func (l *liveChannel) Delete(_ context.Context, m core.Message, _ core.ContactRef) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refuse != nil {
		return l.refuse
	}
	l.deleted = append(l.deleted, m.ID)
	return nil
}

type nopMailer struct{}

func (nopMailer) SendMail(context.Context, core.Mail) error { return nil }

type hooksFixture struct {
	hub   *core.Hub
	store *sqlite.Store
	clock *coretest.Clock
	web   *liveChannel
	crm   *fakeChannel
}

func newHooksFixture(t *testing.T, mailer core.Mailer) *hooksFixture {
	t.Helper()
	dir := t.TempDir()
	st, blobs := coretest.OpenStorage(t, dir)
	clock := coretest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	web := &liveChannel{fakeChannel: fakeChannel{caps: core.Capabilities{
		Label: "Web chat", Attachments: []string{"*/*"}, DeleteSent: true, Live: true, Verification: "code",
	}}}
	crm := &fakeChannel{caps: core.Capabilities{Label: "channel crm", Verification: "external"}}
	hub, err := core.NewHub(core.HubConfig{
		Store: st, Blobs: blobs, Clock: clock, Mailer: mailer,
		Channels: []core.ChannelInfo{
			{Name: "web", Type: "webchat", Adapter: web},
			{Name: "crm", Type: "webhook", Adapter: crm},
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &hooksFixture{hub: hub, store: st, clock: clock, web: web, crm: crm}
}

func (f *hooksFixture) online(t *testing.T, email string) core.Operator {
	t.Helper()
	op, err := f.hub.CreateOperator(context.Background(), core.NewOperator{
		Email: email, Name: email, Password: "correct horse battery", Slots: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.hub.SetPresence(context.Background(), op.ID, core.Online); err != nil {
		t.Fatal(err)
	}
	return op
}

func (f *hooksFixture) receive(t *testing.T, in core.Inbound) core.Receipt {
	t.Helper()
	if in.Kind == "" {
		in.Kind = core.KindMessage
	}
	r, err := f.hub.Receive(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestContactPresenceChanged_drops_and_restores_the_live_label(t *testing.T) {
	f := newHooksFixture(t, nil)
	ctx := context.Background()
	f.online(t, "ann@example.com")
	r := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	live := func() bool {
		c, err := f.store.Conversation(ctx, r.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Live
	}
	if !live() {
		t.Fatal("a visitor writing to an online operator with a free slot: live = false, want true")
	}
	if err := f.hub.ContactPresenceChanged(ctx, "web", "v1", false); err != nil {
		t.Fatal(err)
	}
	if live() {
		t.Fatal("after the visitor left: live = true, want false")
	}
	if err := f.hub.ContactPresenceChanged(ctx, "web", "v1", true); err != nil {
		t.Fatal(err)
	}
	if !live() {
		t.Fatal("after the visitor came back within the live timeout: live = false, want true")
	}
	f.hub.ContactPresenceChanged(ctx, "web", "v1", false)
	f.clock.Advance(16 * time.Minute)
	if err := f.hub.ContactPresenceChanged(ctx, "web", "v1", true); err != nil {
		t.Fatal(err)
	}
	if live() {
		t.Fatal("a visitor back after the live timeout without writing: live = true, want false")
	}
	if err := f.hub.ContactPresenceChanged(ctx, "web", "nobody", true); err != nil {
		t.Errorf("presence of a visitor who never wrote: %v, want nil", err)
	}
}

func TestOperatorTyping_reaches_channels_that_show_it_only_from_the_assignee(t *testing.T) {
	f := newHooksFixture(t, nil)
	ctx := context.Background()
	ann := f.online(t, "ann@example.com")
	bob, _ := f.hub.CreateOperator(ctx, core.NewOperator{Email: "bob@example.com", Name: "Bob", Password: "correct horse battery"})
	r := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	if err := f.hub.OperatorTyping(ctx, ann, r.ConversationID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.hub.OperatorTyping(ctx, bob, r.ConversationID, true); core.ErrorCode(err) != core.CodeForbidden {
		t.Errorf("typing of an operator not assigned: err = %v, want forbidden", err)
	}
	if len(f.web.typing) != 1 || f.web.typing[0].To.ID != "v1" || !f.web.typing[0].Typing || f.web.typing[0].OperatorID != ann.ID {
		t.Fatalf("typing notices = %+v, want one from ann to v1", f.web.typing)
	}
	crm := f.receive(t, core.Inbound{Channel: "crm", ProviderMessageID: "c1", Contact: core.ContactRef{ID: "c1"}, Text: "hi"})
	if err := f.hub.OperatorTyping(ctx, ann, crm.ConversationID, true); err != nil {
		t.Errorf("typing on a channel that cannot show it: err = %v, want nil", err)
	}
}

func TestChannelCommands_rating_verify_and_webtransfer_go_to_the_channels_that_honour_them(t *testing.T) {
	f := newHooksFixture(t, nopMailer{})
	ctx := context.Background()
	ann := f.online(t, "ann@example.com")
	web := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	crm := f.receive(t, core.Inbound{Channel: "crm", ProviderMessageID: "c1", Contact: core.ContactRef{ID: "c1", Email: "c1@example.com"}, Text: "hi"})

	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$rating"); err != nil {
		t.Fatalf("$rating on the web chat: %v", err)
	}
	if len(f.web.ratings) != 1 || f.web.ratings[0].To.ID != "v1" {
		t.Fatalf("rating requests = %+v, want one for v1", f.web.ratings)
	}
	f.web.refuse = &core.CapabilityError{Channel: "web", Capability: "live", Reason: "the visitor is not online"}
	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$rating"); err == nil || err.Error() != "the visitor is not online" {
		t.Errorf("$rating refused by the channel: err = %v, want its reason verbatim", err)
	}
	f.web.refuse = nil
	if _, err := f.hub.Execute(ctx, ann, crm.ConversationID, "$rating"); core.ErrorCode(err) != core.CodeCapability {
		t.Errorf("$rating on a channel without live sessions: err = %v, want a capability refusal", err)
	}

	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$verify"); core.ErrorCode(err) != core.CodeInvalid || !strings.Contains(err.Error(), "$email") {
		t.Errorf("$verify without an address: err = %v, want to be told to set one", err)
	}
	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$email v1@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$verify"); err != nil {
		t.Fatalf("$verify: %v", err)
	}
	if len(f.web.verifies) != 1 || f.web.verifies[0].Email != "v1@example.com" || f.web.verifies[0].Mailer == nil {
		t.Fatalf("verifications = %+v, want one for v1@example.com with a mailer", f.web.verifies)
	}

	res, err := f.hub.Execute(ctx, ann, crm.ConversationID, "$webtransfer")
	if err != nil {
		t.Fatalf("$webtransfer from another channel: %v", err)
	}
	if res.Message == nil || !strings.HasSuffix(res.Message.Text, "https://hub.example.com/webchat/web/continue?t=abc") {
		t.Fatalf("$webtransfer message = %+v, want the link sent to the contact", res.Message)
	}
	if len(f.web.transfers) != 1 || f.web.transfers[0].Conversation.ID != crm.ConversationID {
		t.Fatalf("transfers = %+v, want the crm conversation", f.web.transfers)
	}
	if _, err := f.hub.Execute(ctx, ann, web.ConversationID, "$webtransfer"); core.ErrorCode(err) != core.CodeInvalid {
		t.Errorf("$webtransfer inside the web chat: err = %v, want invalid", err)
	}
}

func TestChannelCommands_verify_without_a_mailer_is_refused_with_the_reason(t *testing.T) {
	f := newHooksFixture(t, nil)
	ann := f.online(t, "ann@example.com")
	r := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1", Email: "v1@example.com"}, Text: "hi"})
	_, err := f.hub.Execute(context.Background(), ann, r.ConversationID, "$verify")
	if core.ErrorCode(err) != core.CodeUnsupported || !strings.Contains(err.Error(), "email sender") {
		t.Fatalf("err = %v, want the missing email sender named", err)
	}
}

func TestUpdateContactDetails_merges_fields_and_never_overwrites_an_address_unverified(t *testing.T) {
	f := newHooksFixture(t, nil)
	ctx := context.Background()
	r := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	c, err := f.hub.UpdateContactDetails(ctx, r.ContactID, core.ContactDetails{
		Email: "Visitor@Example.com", Fields: map[string]string{"browser": "Firefox 140", "os": "Linux"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "visitor@example.com" || c.Verified || c.Fields["browser"] != "Firefox 140" {
		t.Fatalf("contact = %+v, want the address filled in unverified and the fields set", c)
	}
	c, err = f.hub.UpdateContactDetails(ctx, r.ContactID, core.ContactDetails{Email: "other@example.com", Fields: map[string]string{"os": ""}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "visitor@example.com" {
		t.Errorf("email = %q: an unverified address replaced the contact's", c.Email)
	}
	if _, ok := c.Fields["os"]; ok || c.Fields["browser"] != "Firefox 140" {
		t.Errorf("fields = %v, want os removed and browser kept", c.Fields)
	}
	c, err = f.hub.UpdateContactDetails(ctx, r.ContactID, core.ContactDetails{Email: "proved@example.com", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.store.Contact(ctx, r.ContactID)
	if !stored.Verified || stored.Email != "proved@example.com" {
		t.Errorf("stored contact = %+v, want the proved address, verified", stored)
	}
	if _, err := f.hub.UpdateContactDetails(ctx, r.ContactID, core.ContactDetails{Email: "not an address"}); core.ErrorCode(err) != core.CodeInvalid {
		t.Errorf("a bad address: err = %v, want invalid", err)
	}
}

func TestLinkIdentity_continues_a_contact_on_another_channel_and_refuses_someone_elses(t *testing.T) {
	f := newHooksFixture(t, nil)
	ctx := context.Background()
	crm := f.receive(t, core.Inbound{Channel: "crm", ProviderMessageID: "c1", Contact: core.ContactRef{ID: "c1"}, Text: "hi"})
	if _, err := f.hub.LinkIdentity(ctx, crm.ContactID, core.Identity{Channel: "web", ExternalID: "t_1"}); err != nil {
		t.Fatal(err)
	}
	web := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "t_1/1", Contact: core.ContactRef{ID: "t_1"}, Text: "continuing"})
	if web.ContactID != crm.ContactID {
		t.Fatalf("web contact = %s, want the crm contact %s", web.ContactID, crm.ContactID)
	}
	if _, err := f.hub.LinkIdentity(ctx, crm.ContactID, core.Identity{Channel: "web", ExternalID: "t_1"}); err != nil {
		t.Errorf("linking the same identity again: %v, want nil", err)
	}
	other := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v9/1", Contact: core.ContactRef{ID: "v9"}, Text: "hi"})
	if _, err := f.hub.LinkIdentity(ctx, crm.ContactID, core.Identity{Channel: "web", ExternalID: "v9"}); core.ErrorCode(err) != core.CodeConflict {
		t.Errorf("linking another contact's identity: err = %v, want conflict (contact %s)", err, other.ContactID)
	}
}

func TestDeleteSent_removes_a_sent_message_at_the_contact_and_marks_it_deleted(t *testing.T) {
	f := newHooksFixture(t, nil)
	ctx := context.Background()
	ann := f.online(t, "ann@example.com")
	r := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	m, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: "oops"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.DeleteSent(ctx, ann, m.ID); core.ErrorCode(err) != core.CodeConflict {
		t.Errorf("deleting a message still pending: err = %v, want conflict", err)
	}
	payload := []byte(`{"message_id":"` + m.ID + `"}`)
	if err := f.hub.Deliver(ctx, payload); err != nil {
		t.Fatal(err)
	}
	got, err := f.hub.DeleteSent(ctx, ann, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DeletedAt == nil || len(f.web.deleted) != 1 || f.web.deleted[0] != m.ID {
		t.Fatalf("deleted = %v, message = %+v, want the channel told and the message marked", f.web.deleted, got)
	}
	f.web.refuse = core.Permanent(io.ErrUnexpectedEOF)
	m2, _ := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: "second"})
	f.hub.Deliver(ctx, []byte(`{"message_id":"`+m2.ID+`"}`))
	if _, err := f.hub.DeleteSent(ctx, ann, m2.ID); err == nil {
		t.Fatal("a deletion the channel refused reported success")
	}
	if stored, _ := f.store.Message(ctx, m2.ID); stored.DeletedAt != nil {
		t.Error("a deletion the channel refused marked the message deleted")
	}
}

func TestReceive_new_conversation_flag_starts_a_fresh_conversation(t *testing.T) {
	f := newHooksFixture(t, nil)
	first := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/1", Contact: core.ContactRef{ID: "v1"}, Text: "hi"})
	same := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/2", Contact: core.ContactRef{ID: "v1"}, Text: "again"})
	fresh := f.receive(t, core.Inbound{Channel: "web", ProviderMessageID: "v1/3", Contact: core.ContactRef{ID: "v1"}, Text: "later", NewConversation: true})
	if same.ConversationID != first.ConversationID {
		t.Errorf("second message conversation = %s, want %s", same.ConversationID, first.ConversationID)
	}
	if fresh.ConversationID == first.ConversationID || fresh.ContactID != first.ContactID {
		t.Errorf("NewConversation message: conversation %s contact %s, want a new conversation of contact %s", fresh.ConversationID, fresh.ContactID, first.ContactID)
	}
}
