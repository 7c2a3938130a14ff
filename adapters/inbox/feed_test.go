package inbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
	"github.com/switchboard-hq/switchboard/core"
)

// sseEvent is one event read from the live feed.
type sseEvent struct {
	Type, ID string
	Data     []byte
}

// feedConn is an open live feed connection.
type feedConn struct {
	t      *testing.T
	cancel context.CancelFunc
	events chan sseEvent
	resp   *http.Response
}

// openFeed connects to the live feed and returns once the server has
// registered the connection (it sends a first comment after that).
func (e *env) openFeed(token string) *feedConn {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.http.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		e.t.Fatalf("open feed: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		e.t.Fatalf("open feed: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f := &feedConn{t: e.t, cancel: cancel, events: make(chan sseEvent, 100), resp: resp}
	ready := make(chan struct{})
	go f.read(ready)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		e.t.Fatalf("open feed: no greeting")
	}
	e.t.Cleanup(f.close)
	return f
}

func (f *feedConn) read(ready chan struct{}) {
	defer close(f.events)
	sc := bufio.NewScanner(f.resp.Body)
	var ev sseEvent
	greeted := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Type != "" {
				f.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			if !greeted {
				greeted = true
				close(ready)
			}
		case strings.HasPrefix(line, "event: "):
			ev.Type = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			ev.ID = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			ev.Data = []byte(strings.TrimPrefix(line, "data: "))
		}
	}
}

func (f *feedConn) close() {
	f.cancel()
	f.resp.Body.Close()
}

// next returns the next event of type typ, skipping others.
func (f *feedConn) next(typ string) sseEvent {
	f.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-f.events:
			if !ok {
				f.t.Fatalf("feed closed while waiting for %s", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			f.t.Fatalf("no %s event within 5s", typ)
		}
	}
}

func TestFeed_streams_message_created_after_a_reply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	e.outbox()
	feed := e.openFeed(e.ben.Token)

	var m message
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token, map[string]any{"text": "On it!"}).
		want(http.StatusCreated).decode(&m)
	e.relay() // the bus carries the committed events to PublishEvent

	ev := feed.next(string(core.EventMessageCreated))
	var got struct {
		ID   string
		Type string
		Data struct {
			Message      message
			Conversation conversation
		}
	}
	if err := json.Unmarshal(ev.Data, &got); err != nil {
		t.Fatalf("decode event data %s: %v", ev.Data, err)
	}
	if ev.ID == "" || got.ID != ev.ID || got.Type != "message.created" || got.Data.Message.ID != m.ID ||
		got.Data.Message.Text != "On it!" || got.Data.Conversation.ID != conv || got.Data.Conversation.Status != "waiting" {
		t.Errorf("event got = id %q, data %s; want message.created for %s in %s, waiting", ev.ID, ev.Data, m.ID, conv)
	}
}

func TestFeed_drops_a_connection_that_falls_behind_without_blocking_publishers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.http.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.anna.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("open feed: %v", err)
	}
	defer resp.Body.Close()
	// Read nothing: the connection's buffers fill up.

	payload := []byte(`{"id":"evt_1","type":"conversation.updated","timestamp":"2024-05-01T00:00:00Z","data":{"conversation":{"id":"cnv_1","status":"open","topic":"` +
		strings.Repeat("x", 8000) + `"}}}`)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5000 {
			if err := e.srv.PublishEvent(payload); err != nil {
				t.Errorf("PublishEvent: %v", err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("PublishEvent blocked on a slow connection")
	}

	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		if sc.Text() == "event: overflow" {
			return
		}
	}
	t.Fatalf("feed ended without an overflow event: %v", sc.Err())
}

func TestPresence_goes_away_after_the_last_feed_connection_closes(t *testing.T) {
	t.Parallel()
	grace := 100 * time.Millisecond
	e := newEnv(t, inbox.Config{AwayGrace: grace})
	var me struct{ Presence string }
	e.do(http.MethodPut, "/api/v1/me/presence", e.anna.Token, map[string]string{"status": "online"}).want(http.StatusOK).decode(&me)
	if me.Presence != "online" {
		t.Fatalf("presence after PUT got = %q, want online", me.Presence)
	}

	first := e.openFeed(e.anna.Token)
	second := e.openFeed(e.anna.Token)
	first.close()
	time.Sleep(3 * grace)
	if got := e.hub.Presence(e.anna.ID); got != core.Online {
		t.Fatalf("presence with one tab still open got = %q, want online", got)
	}

	second.close()
	eventually(t, "anna is away", func() bool { return e.hub.Presence(e.anna.ID) == core.Away })
}

func TestPresence_stays_online_when_the_operator_reconnects_within_the_grace(t *testing.T) {
	t.Parallel()
	grace := 300 * time.Millisecond
	e := newEnv(t, inbox.Config{AwayGrace: grace})
	e.do(http.MethodPut, "/api/v1/me/presence", e.anna.Token, map[string]string{"status": "online"}).want(http.StatusOK)
	e.openFeed(e.anna.Token).close()
	e.openFeed(e.anna.Token) // a page reload
	time.Sleep(2 * grace)
	if got := e.hub.Presence(e.anna.ID); got != core.Online {
		t.Errorf("presence after a reload got = %q, want online", got)
	}
	e.do(http.MethodPut, "/api/v1/me/presence", e.anna.Token, map[string]string{"status": "busy"}).
		wantError(http.StatusBadRequest, "invalid")
}
