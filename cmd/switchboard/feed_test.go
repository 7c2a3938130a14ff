package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestFeed_keeps_flowing_while_an_event_webhook_subscriber_hangs(t *testing.T) {
	hang := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	defer close(hang)
	h := startHub(t, hubYAML("http://127.0.0.1:1/unused", stuck.URL))
	ann := h.operator("ann@example.com", core.RoleOperator)

	req, _ := http.NewRequestWithContext(t.Context(), "GET", h.base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+ann.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	// The subscriber hangs on the first event; later ones must still reach
	// the operator's feed.
	h.send("crm", "feed-1", "hank", "first", http.StatusAccepted)
	h.send("crm", "feed-2", "hank", "second", http.StatusAccepted)
	lines := bufio.NewScanner(resp.Body)
	seen := 0
	for lines.Scan() {
		if strings.TrimSpace(lines.Text()) == "event: "+string(core.EventMessageCreated) {
			if seen++; seen == 2 {
				return
			}
		}
	}
	t.Fatalf("feed ended after %d message.created events: %v", seen, lines.Err())
}
