package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// kemalWrote feeds a text from Kemal written (and received) at `at`, and
// returns the operator assigned to its conversation.
func (e *cloudEnv) kemalWrote(id, text string, at time.Time) (core.Operator, string) {
	e.t.Helper()
	e.clock.Set(at)
	if rec := e.post(waBody(kemal, textMessage(id, text, at.Unix()), "")); rec.Code != http.StatusOK {
		e.t.Fatalf("%s: status %d (%s)", id, rec.Code, rec.Body)
	}
	return e.assign(id)
}

var t0 = time.Date(2025, 3, 13, 11, 0, 0, 0, time.UTC)

func TestCloudHub_replies_outside_the_window_are_refused_before_queueing_with_the_reason(t *testing.T) {
	tests := []struct {
		name  string
		reply core.Reply
		setup func(e *cloudEnv)
		want  string
	}{
		{"free text", core.Reply{Text: "Sorry for the wait!"}, nil,
			"WhatsApp allows free-form messages only within 24 hours of the contact's last message; the last message was 30 hours ago. Send one instead: /template NAME value 1 | value 2 (templates: order_update, hello_again)"},
		{"an unknown template", core.Reply{Text: "/template order_shipped 61022"}, nil,
			`WhatsApp template "order_shipped" is not configured; this channel has order_update, hello_again`},
		{"a template with too few values", core.Reply{Text: "/template order_update 61022"}, nil,
			"WhatsApp template order_update takes 2 parameters (order number, delivery day); got 1"},
		{"a template with a line break in a value", core.Reply{Text: "/template order_update 61022 | Tues\nday"}, nil,
			"WhatsApp template order_update: delivery day (value 2) may not contain line breaks, tabs or more than 4 spaces in a row"},
		{"a template without a name", core.Reply{Text: "/template"}, nil,
			"name the template: /template NAME value 1 | value 2"},
		{"a template without a recorded opt-in", core.Reply{Text: "/template order_update 61022 | Tuesday"}, nil,
			"+12065550131 has not opted in to WhatsApp messages from this business; a template outside the 24-hour window needs a recorded opt-in (the contact sends START)"},
		{"a template after the contact opted out", core.Reply{Text: "/template order_update 61022 | Tuesday"},
			func(e *cloudEnv) {
				e.clock.Set(t0.Add(time.Minute))
				e.post(waBody(kemal, textMessage("wamid.stop", " stop ", t0.Add(time.Minute).Unix()), ""))
			},
			"+12065550131 opted out of WhatsApp messages (sent STOP on 2025-03-13); they must send START before a template can reach them"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCloudEnv(t, nil)
			op, conv := e.kemalWrote("wamid.in1", "Hi, can I still change the size?", t0)
			if tc.setup != nil {
				tc.setup(e)
			}
			e.clock.Set(t0.Add(30 * time.Hour))
			before, _ := e.store.Messages(context.Background(), conv)
			_, err := e.hub.Send(context.Background(), op, conv, tc.reply)
			var ce *core.CapabilityError
			if !errors.As(err, &ce) || err.Error() != tc.want {
				t.Fatalf("err = %v, want the capability error %q", err, tc.want)
			}
			if after, _ := e.store.Messages(context.Background(), conv); len(after) != len(before) {
				t.Fatalf("conversation grew from %d to %d messages: the refused reply was queued", len(before), len(after))
			}
			if len(e.graph.requests()) != 0 {
				t.Fatal("the Cloud API was called")
			}
		})
	}
}

func TestCloudHub_first_message_to_a_new_contact_needs_a_template(t *testing.T) {
	e := newCloudEnv(t, func(c *Config) { c.Templates = nil })
	err := e.adapter.CheckSend(context.Background(), core.SendCheck{To: core.ContactRef{ID: "+12065550131"}, Text: "Hello!", Now: fixtureNow})
	const want = "WhatsApp lets a business write first only with an approved template, and this channel has no approved templates configured"
	if err == nil || err.Error() != want {
		t.Fatalf("CheckSend = %v, want %q", err, want)
	}
}

func TestCloudHub_template_after_opt_in_is_accepted_sent_and_tracked_to_read(t *testing.T) {
	e := newCloudEnv(t, nil)
	op, conv := e.kemalWrote("wamid.in1", "Hi, can I still change the size?", t0)
	e.clock.Set(t0.Add(2 * time.Minute))
	if rec := e.post(waBody(kemal, textMessage("wamid.start", "START", t0.Add(2*time.Minute).Unix()), "")); rec.Code != http.StatusOK {
		t.Fatalf("opt-in: status %d", rec.Code)
	}
	e.clock.Set(t0.Add(72 * time.Hour))
	ctx := context.Background()
	m, err := e.hub.Send(ctx, op, conv, core.Reply{Text: "/template order_update 61022 | Tuesday"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	e.graph.nextIDs("wamid.tpl1")
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	const want = `{"messaging_product":"whatsapp","recipient_type":"individual","to":"12065550131","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"61022"},{"type":"text","text":"Tuesday"}]}]}}`
	if got := e.graph.messages(); len(got) != 1 || got[0] != want {
		t.Fatalf("Cloud API got %q, want %s", got, want)
	}
	if got := e.message(m.ID); got.Status != core.DeliverySent || got.ProviderMessageID != "wamid.tpl1" {
		t.Fatalf("template %s as %q, want sent as wamid.tpl1", got.Status, got.ProviderMessageID)
	}
	status := func(s string, at time.Time) string {
		return fmt.Sprintf(`{"id":"wamid.tpl1","status":%q,"timestamp":"%d","recipient_id":"12065550131"}`, s, at.Unix())
	}
	at := t0.Add(72*time.Hour + time.Minute)
	for _, step := range []struct {
		body string
		want core.DeliveryStatus
	}{
		{status("delivered", at), core.DeliveryDelivered},
		{status("read", at.Add(time.Minute)), core.DeliveryRead},
		{status("delivered", at), core.DeliveryRead}, // late: never backwards
	} {
		if rec := e.post(waBody("", "", step.body)); rec.Code != http.StatusOK {
			t.Fatalf("status webhook: %d", rec.Code)
		}
		if got := e.message(m.ID).Status; got != step.want {
			t.Fatalf("after %s: %s, want %s", step.body, got, step.want)
		}
	}
}

func TestCloudHub_failed_status_shows_the_reply_failed_with_Metas_reason(t *testing.T) {
	e := newCloudEnv(t, nil)
	op, conv := e.kemalWrote("wamid.in1", "Hello?", t0)
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Here is your answer"})
	if err != nil {
		t.Fatal(err)
	}
	e.graph.nextIDs("wamid.out1")
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	failed := `{"id":"wamid.out1","status":"failed","timestamp":"1741864000","recipient_id":"12065550131","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]}`
	if rec := e.post(waBody("", "", failed)); rec.Code != http.StatusOK {
		t.Fatalf("status webhook: %d", rec.Code)
	}
	got := e.message(m.ID)
	const want = "WhatsApp could not deliver the message: Re-engagement message (code 131047): Message failed to send because more than 24 hours have passed since the customer last replied to this number."
	if got.Status != core.DeliveryFailed || got.Error != want {
		t.Fatalf("reply %s %q, want failed %q", got.Status, got.Error, want)
	}
}

func TestCloudHub_deleting_a_sent_message_is_refused_with_the_reason(t *testing.T) {
	e := newCloudEnv(t, nil)
	op, conv := e.kemalWrote("wamid.in1", "Hello?", t0)
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Oops, wrong customer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	_, err = e.hub.DeleteSent(context.Background(), op, m.ID)
	var ce *core.CapabilityError
	if !errors.As(err, &ce) || ce.Reason != "WhatsApp cannot delete a message once it is sent" {
		t.Fatalf("DeleteSent = %v, want the capability refusal", err)
	}
}
