package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestDelete_removes_every_part_with_deleteMessage(t *testing.T) {
	e := newEnv(t, ModePolling)
	m := core.Message{ID: "msg_1", ProviderMessageID: "710000101:9001,9002"}
	if err := e.ad.Delete(context.Background(), m, core.ContactRef{ID: "710000101"}); err != nil {
		t.Fatal(err)
	}
	calls := e.bot.callsOf("deleteMessage")
	if len(calls) != 2 || calls[0].Params.Get("message_id") != "9001" || calls[1].Params.Get("message_id") != "9002" ||
		calls[0].Params.Get("chat_id") != "710000101" {
		t.Errorf("deleteMessage calls = %+v, want 9001 and 9002 in chat 710000101", calls)
	}
}

func TestDelete_refusals(t *testing.T) {
	tests := []struct {
		name      string
		answer    string
		status    int
		permanent bool
		ok        bool
	}{
		{"already gone counts as deleted", `{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}`, 400, false, true},
		{"too old is permanent", `{"ok":false,"error_code":400,"description":"Bad Request: message can't be deleted"}`, 400, true, false},
		{"server error is temporary", `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, 500, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, ModePolling)
			e.bot.queue("deleteMessage", tt.status, tt.answer)
			err := e.ad.Delete(context.Background(), core.Message{ID: "m", ProviderMessageID: "42:7"}, core.ContactRef{ID: "42"})
			if (err == nil) != tt.ok || core.IsPermanent(err) != tt.permanent {
				t.Errorf("Delete = %v, want ok %v, permanent %v", err, tt.ok, tt.permanent)
			}
		})
	}
	e := newEnv(t, ModePolling)
	if err := e.ad.Delete(context.Background(), core.Message{ID: "m"}, core.ContactRef{ID: "42"}); !core.IsPermanent(err) {
		t.Errorf("Delete of a message without Telegram id = %v, want permanent", err)
	}
}

// TestDelete_through_the_hub_within_48_hours_only sends an operator reply
// through the hub to the fake Bot API, then deletes it through the hub:
// within 48 hours deleteMessage removes it; after them the hub refuses
// with the capability's reason and Telegram is not asked.
func TestDelete_through_the_hub_within_48_hours_only(t *testing.T) {
	e := newEnv(t, ModeWebhook)
	ctx := context.Background()
	if rec := e.post(privateMsg("message", `,"text":"hello"`), signed()); rec.Code != 200 {
		t.Fatalf("inbound: %d %s", rec.Code, rec.Body)
	}
	in, _ := e.message("42:5")
	op, err := e.hub.CreateOperator(ctx, core.NewOperator{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery", Role: core.RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.hub.Assign(ctx, op, in.ConversationID, core.Assignment{OperatorID: op.ID}); err != nil {
		t.Fatal(err)
	}
	reply := func(text string) core.Message {
		t.Helper()
		m, err := e.hub.Send(ctx, op, in.ConversationID, core.Reply{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(core.Delivery{MessageID: m.ID})
		if err := e.hub.Deliver(ctx, payload); err != nil {
			t.Fatal(err)
		}
		m, _ = e.store.Message(ctx, m.ID)
		if m.Status != core.DeliverySent || !strings.HasPrefix(m.ProviderMessageID, "42:") {
			t.Fatalf("reply = %+v, want sent with a Telegram id", m)
		}
		return m
	}

	recent := reply("sent by mistake")
	e.clock.Advance(47 * time.Hour)
	deleted, err := e.hub.DeleteSent(ctx, op, recent.ID)
	if err != nil || deleted.DeletedAt == nil {
		t.Fatalf("DeleteSent after 47h = %+v, %v; want deleted", deleted, err)
	}
	calls := e.bot.callsOf("deleteMessage")
	_, ids, _ := parseProviderID(recent.ProviderMessageID)
	if len(calls) != 1 || calls[0].Params.Get("chat_id") != "42" || calls[0].Params.Get("message_id") != strconv.Itoa(ids[0]) {
		t.Fatalf("deleteMessage calls = %+v, want chat 42 message %d", calls, ids[0])
	}

	old := reply("too late to take back")
	e.clock.Advance(48*time.Hour + time.Minute)
	_, err = e.hub.DeleteSent(ctx, op, old.ID)
	var ce *core.CapabilityError
	const reason = "Telegram deletes messages only within 48 hours of sending; this one is older"
	if !errors.As(err, &ce) || ce.Reason != reason {
		t.Fatalf("DeleteSent after 48h = %v, want the capability refusal %q", err, reason)
	}
	if n := len(e.bot.callsOf("deleteMessage")); n != 1 {
		t.Errorf("deleteMessage calls = %d, want still 1: Telegram must not be asked", n)
	}
}
