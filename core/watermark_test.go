package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// sentReplies receives a message from contact c1, assigns its conversation
// to a new operator and sends one delivered reply per text, the clock
// advancing a minute before each. It returns the conversation and replies.
func sentReplies(t *testing.T, f *fixture, texts ...string) (string, []core.Message) {
	t.Helper()
	ctx := context.Background()
	ann := f.operator(t, "ann@example.com", core.RoleOperator)
	r := f.receive(t, "m1", "c1", "hello")
	if _, err := f.hub.Assign(ctx, ann, r.ConversationID, core.Assignment{OperatorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	var out []core.Message
	for _, text := range texts {
		f.clock.Advance(time.Minute)
		m, err := f.hub.Send(ctx, ann, r.ConversationID, core.Reply{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.hub.Deliver(ctx, []byte(`{"message_id":"`+m.ID+`"}`)); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return r.ConversationID, out
}

func statuses(t *testing.T, f *fixture, ms []core.Message) []core.DeliveryStatus {
	t.Helper()
	var out []core.DeliveryStatus
	for _, m := range ms {
		got, err := f.store.Message(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got.Status)
	}
	return out
}

func TestReceiveWatermark_marks_accepted_replies_up_to_the_watermark_never_backwards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, ms := sentReplies(t, f, "first", "second", "third")
	pending, err := f.hub.Send(ctx, mustOperator(t, f, ms[0].Author), ms[0].ConversationID, core.Reply{Text: "still queued"})
	if err != nil {
		t.Fatal(err)
	}
	ms = append(ms, pending)

	steps := []struct {
		name string
		kind core.Kind
		// until is relative to the second reply's time.
		until       time.Duration
		wantChanged int
		want        []core.DeliveryStatus
	}{
		{"read up to the second reply", core.KindRead, 0, 2,
			[]core.DeliveryStatus{core.DeliveryRead, core.DeliveryRead, core.DeliverySent, core.DeliveryPending}},
		{"the same watermark again changes nothing", core.KindRead, 0, 0,
			[]core.DeliveryStatus{core.DeliveryRead, core.DeliveryRead, core.DeliverySent, core.DeliveryPending}},
		{"a later delivery does not downgrade reads", core.KindDelivered, time.Hour, 1,
			[]core.DeliveryStatus{core.DeliveryRead, core.DeliveryRead, core.DeliveryDelivered, core.DeliveryPending}},
	}
	for _, s := range steps {
		n, err := f.hub.ReceiveWatermark(ctx, core.Watermark{
			Channel: "crm", Kind: s.kind, Contact: "c1", Until: ms[1].SentAt.Add(s.until),
		})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n != s.wantChanged {
			t.Errorf("%s: changed = %d, want %d", s.name, n, s.wantChanged)
		}
		if got := statuses(t, f, ms); !equalStatuses(got, s.want) {
			t.Errorf("%s: statuses = %v, want %v", s.name, got, s.want)
		}
	}
}

func TestReceiveWatermark_of_an_unknown_contact_changes_nothing(t *testing.T) {
	f := newFixture(t)
	_, ms := sentReplies(t, f, "first")
	n, err := f.hub.ReceiveWatermark(context.Background(), core.Watermark{
		Channel: "crm", Kind: core.KindRead, Contact: "stranger", Until: ms[0].SentAt.Add(time.Hour),
	})
	if err != nil || n != 0 {
		t.Fatalf("ReceiveWatermark = %d, %v; want 0, nil", n, err)
	}
	if got := statuses(t, f, ms); got[0] != core.DeliverySent {
		t.Fatalf("status = %s, want sent", got[0])
	}
}

func TestReceiveWatermark_refuses_what_is_not_a_watermark(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	for name, w := range map[string]core.Watermark{
		"unknown channel": {Channel: "nope", Kind: core.KindRead, Contact: "c1", Until: now},
		"failed kind":     {Channel: "crm", Kind: core.KindFailed, Contact: "c1", Until: now},
		"no contact":      {Channel: "crm", Kind: core.KindRead, Until: now},
		"no time":         {Channel: "crm", Kind: core.KindRead, Contact: "c1"},
	} {
		if _, err := f.hub.ReceiveWatermark(context.Background(), w); core.ErrorCode(err) != core.CodeInvalid {
			t.Errorf("%s: err = %v, want an invalid error", name, err)
		}
	}
}

func TestDeliver_tells_the_channel_when_the_contact_last_wrote(t *testing.T) {
	f := newFixture(t)
	conversationID, _ := sentReplies(t, f, "first")
	conv := f.conversation(t, conversationID)
	if len(f.ch.sent) != 1 {
		t.Fatalf("channel sent %d messages, want 1", len(f.ch.sent))
	}
	if got, want := f.ch.sent[0].LastContactAt, conv.LastContactAt; got.IsZero() || !got.Equal(want) {
		t.Fatalf("Outbound.LastContactAt = %v, want %v", got, want)
	}
}

func mustOperator(t *testing.T, f *fixture, id string) core.Operator {
	t.Helper()
	op, err := f.store.Operator(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func equalStatuses(a, b []core.DeliveryStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
