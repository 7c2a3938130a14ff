package messenger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// conversation feeds fixture 01 (a text from 25531901234567001) through the
// webhook and assigns its conversation to a new operator, who may reply.
func (e *env) conversation() (core.Operator, string) {
	e.t.Helper()
	ctx := context.Background()
	if rec := e.serve(loadRequest(e.t, "01_text.json").HTTP()); rec.Code != http.StatusOK {
		e.t.Fatalf("fixture 01: status %d", rec.Code)
	}
	m, err := e.store.MessageByProviderID(ctx, testChannel, "m_g5SHVRAXKcAJgzb78Hh6vNEugZ8VZ9F0W5x-h9phISbJA-RCt029ZfBB4BYUhRjreLKnrYA_-grnHW_TrHx9Rg")
	if err != nil {
		e.t.Fatal(err)
	}
	op, err := e.hub.CreateOperator(ctx, core.NewOperator{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery", Role: core.RoleOperator})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.hub.Assign(ctx, op, m.ConversationID, core.Assignment{OperatorID: op.ID}); err != nil {
		e.t.Fatal(err)
	}
	return op, m.ConversationID
}

// deliver runs the bus's delivery of a queued message once.
func (e *env) deliver(m core.Message) error {
	return e.hub.Deliver(context.Background(), []byte(`{"message_id":"`+m.ID+`"}`))
}

func (e *env) message(id string) core.Message {
	e.t.Helper()
	m, err := e.store.Message(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func TestHub_reply_past_the_window_is_refused_before_queueing_with_the_reason(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	op, conv := e.conversation()
	e.clock.Advance(9*24*time.Hour + 2*time.Hour)
	_, err := e.hub.Send(ctx, op, conv, core.Reply{Text: "Sorry for the wait!"})
	const want = "Messenger allows replies only within 24 hours of the contact's last message (7 days with the human agent tag); the last message was 9 days ago"
	var ce *core.CapabilityError
	if !errors.As(err, &ce) || err.Error() != want || core.ErrorCode(err) != core.CodeCapability {
		t.Fatalf("err = %v, want the capability error %q", err, want)
	}
	msgs, _ := e.store.Messages(ctx, conv)
	if len(msgs) != 1 {
		t.Fatalf("conversation holds %d messages, want only the contact's (nothing queued)", len(msgs))
	}
}

func TestHub_reply_after_a_day_goes_out_with_the_human_agent_tag(t *testing.T) {
	e := newEnv(t, Config{})
	op, conv := e.conversation()
	e.clock.Advance(3 * 24 * time.Hour)
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Following up on your question"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	reqs := e.graph.requests()
	const want = `{"recipient":{"id":"25531901234567001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Following up on your question"}}`
	if len(reqs) != 1 || string(reqs[0].Body) != want {
		t.Fatalf("graph got %d requests (%v), want one %s", len(reqs), reqs, want)
	}
	if got := e.message(m.ID); got.Status != core.DeliverySent || got.ProviderMessageID != "m_fake0001" {
		t.Fatalf("reply %s with id %q, want sent as m_fake0001", got.Status, got.ProviderMessageID)
	}
}

func TestHub_deleting_a_sent_messenger_message_is_refused_with_the_reason(t *testing.T) {
	e := newEnv(t, Config{})
	if _, ok := any(e.adapter).(core.Deleter); ok {
		t.Fatal("the adapter implements core.Deleter, but Messenger cannot delete sent messages")
	}
	op, conv := e.conversation()
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Oops, wrong customer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	_, err = e.hub.DeleteSent(context.Background(), op, m.ID)
	const want = "Messenger cannot delete a message once it is sent"
	var ce *core.CapabilityError
	if !errors.As(err, &ce) || ce.Reason != want || ce.Capability != "delete" {
		t.Fatalf("DeleteSent = %v, want the capability error %q", err, want)
	}
	if got := e.message(m.ID); got.DeletedAt != nil || got.Status != core.DeliverySent {
		t.Fatalf("message after the refusal: %+v, want it sent and not deleted", got)
	}
}

func TestHub_graph_429_then_success_sends_the_reply_once(t *testing.T) {
	e := newEnv(t, Config{})
	op, conv := e.conversation()
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "One moment"})
	if err != nil {
		t.Fatal(err)
	}
	e.graph.answer(graphAnswer{http.StatusTooManyRequests,
		`{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613,"fbtrace_id":"Rl1"}}`})
	if err := e.deliver(m); err == nil {
		t.Fatal("first delivery: err = nil, want the 429 returned so the bus retries")
	}
	if got := e.message(m.ID); got.Status != core.DeliveryPending || got.Attempts != 1 {
		t.Fatalf("after the 429: %s after %d attempts, want pending after 1", got.Status, got.Attempts)
	}
	if err := e.deliver(m); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if err := e.deliver(m); err != nil { // a redelivery of the bus message
		t.Fatal(err)
	}
	if got := e.message(m.ID); got.Status != core.DeliverySent || got.Attempts != 2 || e.graph.delivered() != 1 {
		t.Fatalf("after the retry: %s after %d attempts, %d accepted; want sent after 2, 1 accepted", got.Status, got.Attempts, e.graph.delivered())
	}
}

func TestHub_graph_refusal_shows_the_reply_failed_with_the_providers_reason(t *testing.T) {
	e := newEnv(t, Config{})
	op, conv := e.conversation()
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Hello?"})
	if err != nil {
		t.Fatal(err)
	}
	e.graph.answer(graphAnswer{http.StatusBadRequest,
		`{"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551,"error_subcode":1545041,"fbtrace_id":"Fx9"}}`})
	if err := e.deliver(m); err != nil {
		t.Fatalf("a permanent refusal must not be retried: %v", err)
	}
	got := e.message(m.ID)
	const want = "Messenger refused the message: (#551) This person isn't available right now. (code 551, subcode 1545041)"
	if got.Status != core.DeliveryFailed || got.Error != want {
		t.Fatalf("reply %s %q, want failed %q", got.Status, got.Error, want)
	}
}

func TestHub_delivery_and_read_receipts_mark_the_reply(t *testing.T) {
	e := newEnv(t, Config{})
	op, conv := e.conversation()
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Yes, we ship to Canada."})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	mid := e.message(m.ID).ProviderMessageID
	ms := e.clock.Now().Add(time.Second).UnixMilli()
	receipt := func(event string) []byte {
		return []byte(page(`{"sender":{"id":"25531901234567001"},"recipient":{"id":"108432176609215"},"timestamp":` +
			fmt.Sprint(ms) + `,` + event + `}`))
	}
	steps := []struct {
		body []byte
		want core.DeliveryStatus
	}{
		{receipt(`"delivery":{"mids":["` + mid + `"],"watermark":` + fmt.Sprint(ms) + `}`), core.DeliveryDelivered},
		{receipt(`"read":{"watermark":` + fmt.Sprint(ms) + `}`), core.DeliveryRead},
		{receipt(`"delivery":{"mids":["` + mid + `"]}`), core.DeliveryRead}, // late: never backwards
	}
	for i, s := range steps {
		if rec := e.post(s.body); rec.Code != http.StatusOK {
			t.Fatalf("step %d: status %d", i, rec.Code)
		}
		if got := e.message(m.ID).Status; got != s.want {
			t.Fatalf("step %d: status %s, want %s", i, got, s.want)
		}
	}
}
