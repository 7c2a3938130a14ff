package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestInboundTopic_stores_what_a_poller_publishes_once(t *testing.T) {
	h := startHub(t, hubYAML("http://127.0.0.1:1/unused", ""))
	select {
	case <-h.app.bus.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("bus did not start")
	}
	payload, _ := json.Marshal(core.Inbound{
		Channel: "crm", Kind: core.KindMessage, ProviderMessageID: "poll-1",
		Contact: core.ContactRef{ID: "polled"}, Text: "from a poller",
	})
	ctx := context.Background()
	for range 2 { // at-least-once delivery: the second is a duplicate
		if err := h.app.bus.Publish(ctx, core.TopicInbound, "polled", payload, nil); err != nil {
			t.Fatal(err)
		}
	}
	m, err := h.app.hub.Store().MessageByProviderID(ctx, "crm", "poll-1")
	if err != nil {
		t.Fatalf("published message not stored: %v", err)
	}
	msgs, _ := h.app.hub.Store().Messages(ctx, m.ConversationID)
	if len(msgs) != 1 || msgs[0].Text != "from a poller" {
		t.Fatalf("conversation holds %+v, want the one polled message", msgs)
	}
}
