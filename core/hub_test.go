package core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// fakeChannel records what it is asked to send and answers with err.
type fakeChannel struct {
	caps core.Capabilities
	mu   sync.Mutex
	sent []core.Outbound
	err  error
}

func (f *fakeChannel) Capabilities() core.Capabilities { return f.caps }

func (f *fakeChannel) Send(_ context.Context, out core.Outbound) (core.SendReceipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return core.SendReceipt{}, f.err
	}
	f.sent = append(f.sent, out)
	return core.SendReceipt{ProviderMessageID: "p-" + out.MessageID}, nil
}

type fixture struct {
	hub   *core.Hub
	store *sqlite.Store
	clock *coretest.Clock
	ch    *fakeChannel
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, blobs := coretest.OpenStorage(t, t.TempDir())
	clock := coretest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	ch := &fakeChannel{caps: core.Capabilities{
		Label: "channel crm", Attachments: []string{"image/png", "image/jpeg"}, DeleteSent: true,
	}}
	hub, err := core.NewHub(core.HubConfig{
		Store: st, Blobs: blobs, Clock: clock,
		Channels: []core.ChannelInfo{{Name: "crm", Type: "webhook", Adapter: ch}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{hub: hub, store: st, clock: clock, ch: ch}
}

func (f *fixture) operator(t *testing.T, email string, role core.Role) core.Operator {
	t.Helper()
	op, err := f.hub.CreateOperator(context.Background(), core.NewOperator{
		Email: email, Name: email, Password: "correct horse battery", Role: role, Slots: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func (f *fixture) receive(t *testing.T, id, contact, text string) core.Receipt {
	t.Helper()
	r, err := f.hub.Receive(context.Background(), core.Inbound{
		Channel: "crm", Kind: core.KindMessage, ProviderMessageID: id,
		Contact: core.ContactRef{ID: contact, Name: "Contact " + contact}, Text: text,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) conversation(t *testing.T, id string) core.Conversation {
	t.Helper()
	c, err := f.store.Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReceive_new_conversation_waits_unassigned_while_nobody_is_online(t *testing.T) {
	f := newFixture(t)
	f.operator(t, "ann@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	c := f.conversation(t, r.ConversationID)
	if c.Status != core.StatusNew || c.AssigneeID != "" || c.Live {
		t.Fatalf("got status %s assignee %q live %v, want new, unassigned, not live", c.Status, c.AssigneeID, c.Live)
	}
	items, err := f.store.Conversations(context.Background(), core.ConversationQuery{View: core.ViewUnassigned})
	if err != nil || len(items) != 1 || items[0].ID != c.ID {
		t.Fatalf("unassigned view = %v (%v), want the new conversation", items, err)
	}
}

func TestReceive_routes_a_new_conversation_to_an_online_operator_live(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	if err := f.hub.SetPresence(ctx, ann.ID, core.Online); err != nil {
		t.Fatal(err)
	}
	r := f.receive(t, "m1", "c1", "hello")
	c := f.conversation(t, r.ConversationID)
	if c.AssigneeID != ann.ID || c.Status != core.StatusOpen || !c.Live {
		t.Fatalf("got assignee %q status %s live %v, want %s, open, live", c.AssigneeID, c.Status, c.Live, ann.ID)
	}
}

func TestReceive_routes_least_busy_first_and_respects_chat_slots(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	bob := f.operator(t, "bob@example.com", core.RoleOperator)
	for _, op := range []core.Operator{ann, bob} {
		if err := f.hub.SetPresence(ctx, op.ID, core.Online); err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]int{}
	for i := range 5 {
		r := f.receive(t, fmt.Sprintf("m%d", i), fmt.Sprintf("c%d", i), "hi")
		count[f.conversation(t, r.ConversationID).AssigneeID]++
	}
	// Two slots each: four conversations are shared evenly, the fifth waits.
	if count[ann.ID] != 2 || count[bob.ID] != 2 || count[""] != 1 {
		t.Fatalf("assignments = %v, want 2 each and 1 unassigned", count)
	}
}

func TestReceive_same_provider_id_stores_one_message_even_concurrently(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	receipts := make([]core.Receipt, 20)
	for i := range receipts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.hub.Receive(ctx, core.Inbound{
				Channel: "crm", Kind: core.KindMessage, ProviderMessageID: "same",
				Contact: core.ContactRef{ID: "c1"}, Text: "once",
			})
			if err != nil {
				t.Error(err)
			}
			receipts[i] = r
		}()
	}
	wg.Wait()
	dups := 0
	for _, r := range receipts {
		if r.MessageID != receipts[0].MessageID || r.ConversationID != receipts[0].ConversationID {
			t.Fatalf("receipts differ: %+v vs %+v", r, receipts[0])
		}
		if r.Duplicate {
			dups++
		}
	}
	if dups != 19 {
		t.Fatalf("duplicates = %d, want 19", dups)
	}
	msgs, _ := f.store.Messages(ctx, receipts[0].ConversationID)
	if len(msgs) != 1 {
		t.Fatalf("stored %d messages, want 1", len(msgs))
	}
}

func TestReceive_masks_card_numbers_before_storing(t *testing.T) {
	f := newFixture(t)
	r := f.receive(t, "m1", "c1", "my card is 4111 1111 1111 1111, thanks")
	m, err := f.store.Message(context.Background(), r.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "my card is **** **** **** 1111, thanks"; m.Text != want || !m.Masked {
		t.Fatalf("got %q masked=%v, want %q masked", m.Text, m.Masked, want)
	}
}

func TestSend_only_the_assignee_replies_but_anyone_adds_notes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	bob := f.operator(t, "bob@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	_, err := f.hub.Send(ctx, bob, r.ConversationID, core.Reply{Text: "I can help"})
	if core.ErrorCode(err) != core.CodeForbidden {
		t.Fatalf("bob's reply: err = %v, want forbidden", err)
	}
	if _, err := f.hub.Send(ctx, bob, r.ConversationID, core.Reply{Text: "customer is VIP", Note: true}); err != nil {
		t.Fatalf("bob's note: %v", err)
	}
	m, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: "Hi, how can I help?"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != core.DeliveryPending {
		t.Fatalf("status = %s, want pending", m.Status)
	}
	if c := f.conversation(t, r.ConversationID); c.Status != core.StatusWaiting {
		t.Fatalf("conversation status = %s, want waiting", c.Status)
	}
}

func TestSend_refuses_an_attachment_outside_the_channel_capabilities_and_queues_nothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	pending, _ := f.store.OutboxPending(ctx, 0, 1000)
	_, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{
		Text: "listen", Attachments: []core.Attachment{{Filename: "a.mp3", MIMEType: "audio/mpeg", Size: 100}},
	})
	var ce *core.CapabilityError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a capability error", err)
	}
	if want := "channel crm accepts only image/png, image/jpeg; this file is audio/mpeg"; ce.Error() != want {
		t.Fatalf("reason = %q, want %q", ce.Error(), want)
	}
	after, _ := f.store.OutboxPending(ctx, 0, 1000)
	if len(after) != len(pending) {
		t.Fatalf("outbox grew from %d to %d records", len(pending), len(after))
	}
	msgs, _ := f.store.Messages(ctx, r.ConversationID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored, want only the contact's", len(msgs))
	}
}

func TestAutoResolve_after_30_quiet_days_and_a_contact_message_reactivates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.receive(t, "m1", "c1", "hello")
	f.clock.Advance(30*24*time.Hour - time.Second)
	if n, err := f.hub.AutoResolve(ctx); err != nil || n != 0 {
		t.Fatalf("before 30 days: resolved %d (%v), want 0", n, err)
	}
	f.clock.Advance(time.Second)
	if n, err := f.hub.AutoResolve(ctx); err != nil || n != 1 {
		t.Fatalf("at 30 days: resolved %d (%v), want 1", n, err)
	}
	if c := f.conversation(t, r.ConversationID); c.Status != core.StatusResolved {
		t.Fatalf("status = %s, want resolved", c.Status)
	}
	r2 := f.receive(t, "m2", "c1", "me again")
	if r2.ConversationID != r.ConversationID {
		t.Fatalf("new message opened conversation %s, want %s reactivated", r2.ConversationID, r.ConversationID)
	}
	if c := f.conversation(t, r.ConversationID); c.Status == core.StatusResolved {
		t.Fatalf("status = %s after a new contact message, want reactivated", c.Status)
	}
}

func TestDeliver_records_sent_failed_and_retried_outcomes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	send := func(text string) core.Message {
		m, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	payload := func(m core.Message) []byte { return []byte(`{"message_id":"` + m.ID + `"}`) }
	stored := func(m core.Message) core.Message {
		got, err := f.store.Message(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	f.ch.err = errors.New("connection refused")
	m := send("first")
	if err := f.hub.Deliver(ctx, payload(m)); err == nil {
		t.Fatal("temporary failure: err = nil, want it returned for a retry")
	}
	if got := stored(m); got.Status != core.DeliveryPending || got.Attempts != 1 || got.Error != "connection refused" {
		t.Fatalf("after a temporary failure: %s attempts=%d error=%q", got.Status, got.Attempts, got.Error)
	}
	f.ch.err = nil
	if err := f.hub.Deliver(ctx, payload(m)); err != nil {
		t.Fatal(err)
	}
	if got := stored(m); got.Status != core.DeliverySent || got.Attempts != 2 || got.ProviderMessageID != "p-"+m.ID {
		t.Fatalf("after success: %+v", got)
	}
	if err := f.hub.Deliver(ctx, payload(m)); err != nil || len(f.ch.sent) != 1 {
		t.Fatalf("redelivery of a sent message sent again (%d sends, err %v)", len(f.ch.sent), err)
	}

	f.ch.err = core.Permanent(errors.New("receiver answered 400: unknown contact"))
	m2 := send("second")
	if err := f.hub.Deliver(ctx, payload(m2)); err != nil {
		t.Fatalf("permanent failure: err = %v, want nil (no retry)", err)
	}
	if got := stored(m2); got.Status != core.DeliveryFailed || got.Error != "receiver answered 400: unknown contact" {
		t.Fatalf("after a permanent failure: %s %q", got.Status, got.Error)
	}
}

func TestPoison_marks_the_message_failed_and_redrive_queues_it_again(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	m, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"message_id":"` + m.ID + `"}`)
	if err := f.hub.Poison(ctx, core.Poisoned{Topic: core.OutboundTopic("crm"), Handler: "deliver_crm", Reason: "receiver answered 503", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.store.Message(ctx, m.ID)
	if got.Status != core.DeliveryFailed || got.Error == "" {
		t.Fatalf("poisoned message: %s %q, want failed with the reason", got.Status, got.Error)
	}
	list, _ := f.store.Poisoned(ctx)
	if len(list) != 1 || list[0].MessageID != m.ID {
		t.Fatalf("poison list = %+v", list)
	}
	if err := f.hub.Redrive(ctx, ann, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Message(ctx, m.ID); got.Status != core.DeliveryPending {
		t.Fatalf("after re-drive: %s, want pending", got.Status)
	}
	if list, _ := f.store.Poisoned(ctx); len(list) != 0 {
		t.Fatalf("poison list after re-drive = %d entries, want 0", len(list))
	}
}

func TestSetPresence_away_drops_the_live_label(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	_ = f.hub.SetPresence(ctx, ann.ID, core.Online)
	r := f.receive(t, "m1", "c1", "hello")
	if !f.conversation(t, r.ConversationID).Live {
		t.Fatal("conversation not live while operator online")
	}
	if err := f.hub.SetPresence(ctx, ann.ID, core.Away); err != nil {
		t.Fatal(err)
	}
	if f.conversation(t, r.ConversationID).Live {
		t.Fatal("conversation still live after the operator went away")
	}
}

func TestExecute_runs_commands_and_refuses_what_the_channel_cannot_do(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	bob := f.operator(t, "bob@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.SaveMacro(ctx, ann, core.Macro{Name: "thanks", Text: "Thank you for writing!"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text     string
		wantCode core.Code
		check    func(core.CommandResult) error
	}{
		{text: "$topic billing", check: func(res core.CommandResult) error {
			if f.conversation(t, r.ConversationID).Topic != "billing" {
				return errors.New("topic not set")
			}
			return nil
		}},
		{text: "$name Ada Lovelace", check: func(res core.CommandResult) error {
			if res.Contact == nil || res.Contact.Name != "Ada Lovelace" {
				return fmt.Errorf("contact = %+v", res.Contact)
			}
			return nil
		}},
		{text: "!thanks", check: func(res core.CommandResult) error {
			if res.Message == nil || res.Message.Text != "Thank you for writing!" || res.Message.Status != core.DeliveryPending {
				return fmt.Errorf("macro message = %+v", res.Message)
			}
			return nil
		}},
		{text: "$rating", wantCode: core.CodeCapability},
		{text: "$verify", wantCode: core.CodeCapability},
		{text: "$send", wantCode: core.CodeUnsupported},
		{text: "$nope", wantCode: core.CodeInvalid},
		{text: "!missing", wantCode: core.CodeNotFound},
		{text: "$forward bob@example.com", check: func(core.CommandResult) error {
			if got := f.conversation(t, r.ConversationID).AssigneeID; got != bob.ID {
				return fmt.Errorf("assignee = %s, want bob", got)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res, err := f.hub.Execute(ctx, ann, r.ConversationID, tt.text)
			if core.ErrorCode(err) != tt.wantCode {
				t.Fatalf("err = %v (code %q), want code %q", err, core.ErrorCode(err), tt.wantCode)
			}
			if tt.check != nil {
				if err := tt.check(res); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestEraseContact_removes_conversations_messages_and_search_entries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.operator(t, "root@example.com", core.RoleAdmin)
	r := f.receive(t, "m1", "c1", "findable zebra text")
	plain := f.operator(t, "ann@example.com", core.RoleOperator)
	if err := f.hub.EraseContact(ctx, plain, r.ContactID); core.ErrorCode(err) != core.CodeForbidden {
		t.Fatalf("a plain operator's erase: err = %v, want forbidden", err)
	}
	if err := f.hub.EraseContact(ctx, admin, r.ContactID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Contact(ctx, r.ContactID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("contact after erase: err = %v, want not found", err)
	}
	if _, err := f.store.Message(ctx, r.MessageID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("message after erase: err = %v, want not found", err)
	}
	items, err := f.store.Conversations(ctx, core.ConversationQuery{View: core.ViewAll, Text: "zebra"})
	if err != nil || len(items) != 0 {
		t.Fatalf("search after erase = %v (%v), want nothing", items, err)
	}
}

func TestState_keeps_a_channels_values_apart_from_other_channels(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.hub.State("crm"), f.hub.State("other")
	if _, err := a.Get(ctx, "offset"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing key: err = %v, want not found", err)
	}
	if err := a.Put(ctx, "offset", []byte("41")); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "offset", []byte("42")); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Get(ctx, "offset"); err != nil || string(got) != "42" {
		t.Fatalf("got %q (%v), want 42", got, err)
	}
	if _, err := b.Get(ctx, "offset"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other channel sees the key: %v", err)
	}
	if err := a.Delete(ctx, "offset"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "offset"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("after delete: err = %v, want not found", err)
	}
}
