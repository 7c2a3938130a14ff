package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-hq/switchboard/core"
)

// seedConversations stores n conversations, each from its own contact
// with one message, written straight to the store in large transactions
// (through the hub, one commit per message, seeding would dominate the
// test's time).
func seedConversations(t *testing.T, h *uiHub, n int) {
	t.Helper()
	const batch = 1000
	base := time.Now().Add(-time.Duration(n) * time.Second)
	for from := 0; from < n; from += batch {
		err := h.app.st.store.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				at := base.Add(time.Duration(i) * time.Second)
				c := core.Contact{
					ID: fmt.Sprintf("ctc_seed%05d", i), Name: fmt.Sprintf("Contact %05d", i), Email: fmt.Sprintf("c%05d@example.com", i),
					Identities: []core.Identity{{Channel: "crm", ExternalID: fmt.Sprintf("c%05d", i)}}, CreatedAt: at, UpdatedAt: at,
				}
				conv := core.Conversation{
					ID: fmt.Sprintf("cnv_seed%05d", i), ContactID: c.ID, Channel: "crm", Status: core.StatusNew,
					CreatedAt: at, UpdatedAt: at, LastMessageAt: at, LastContactAt: at,
				}
				m := core.Message{
					ID: fmt.Sprintf("msg_seed%05d", i), ConversationID: conv.ID, Channel: "crm", Direction: core.DirectionIn,
					Kind: core.KindMessage, Text: fmt.Sprintf("Message number %d about order %d", i, 100000+i),
					ProviderMessageID: fmt.Sprintf("seed-%d", i), Attachments: []core.Attachment{}, SentAt: at, CreatedAt: at,
				}
				if err := tx.InsertContact(ctx, c); err != nil {
					return err
				}
				if err := tx.InsertConversation(ctx, conv); err != nil {
					return err
				}
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

// The inbox's first paint and its first list, with 10,000 conversations in
// the store, measured by the browser's Performance API on a fresh load.
func TestInboxUI_first_paint_with_10000_conversations(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 conversations")
	}
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	start := time.Now()
	seedConversations(t, h, 10000)
	t.Logf("seeded 10,000 conversations in %s", time.Since(start).Round(time.Millisecond))

	ann := h.tab(t)
	ann.do(chromedp.EmulateViewport(1280, 800))
	ann.login("ann@example.com", "/inbox/unassigned")
	ann.wait("the first list", `document.querySelectorAll(".rows .row").length === 50`)

	// A fresh load with the session cookie set: what an operator sees
	// opening the inbox in the morning.
	ann.do(chromedp.Reload())
	ann.wait("the list after the reload", `performance.getEntriesByName("switchboard:list-rendered").length === 1 && document.querySelectorAll(".rows .row").length === 50`)
	type timing struct {
		FCP, List, DOMContentLoaded, Requests float64
	}
	m := evalJS[timing](ann, `(() => {
		const fcp = performance.getEntriesByName("first-contentful-paint")[0];
		const nav = performance.getEntriesByType("navigation")[0];
		return {
			FCP: fcp ? fcp.startTime : -1,
			List: performance.getEntriesByName("switchboard:list-rendered")[0].startTime,
			DOMContentLoaded: nav.domContentLoadedEventEnd,
			Requests: performance.getEntriesByType("resource").length,
		};
	})()`)
	t.Logf("inbox with 10,000 conversations: first contentful paint %.0f ms, DOMContentLoaded %.0f ms, list of 50 rendered at %.0f ms (%.0f requests)",
		m.FCP, m.DOMContentLoaded, m.List, m.Requests)
	ann.wait("the unassigned badge counting all 10,000", `document.querySelector(".nav-count[data-count=unassigned]").textContent === "10000"`)
	if m.FCP <= 0 || m.List <= 0 {
		t.Fatalf("no paint timing: %+v", m)
	}
	// Generous bounds: they catch a list that loads every conversation,
	// not a slow machine.
	if m.List > 5000 {
		t.Errorf("the list took %.0f ms to render, want well under 5 s", m.List)
	}
}
