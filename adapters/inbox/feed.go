package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Live feed parameters.
const (
	heartbeatEvery = 15 * time.Second
	// feedBuffer is how many events one connection may lag behind before it
	// is dropped with a final "overflow" event; the client then reloads.
	feedBuffer = 256
	// awayTimeout bounds the presence update made when the grace expires.
	awayTimeout = 10 * time.Second
)

// PublishEvent fans one event (the JSON of a core.Event, as carried on the
// events topic) out to every live feed connection. It never blocks on a
// slow connection: one whose buffer is full is dropped instead. It is safe
// for concurrent use.
func (s *Server) PublishEvent(payload []byte) error {
	if !s.feed.listening() {
		return nil // nobody to tell: skip decoding and re-encoding
	}
	var ev core.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("inbox: decode event: %w", err)
	}
	if ev.Type == "" {
		return fmt.Errorf("inbox: event %q has no type", ev.ID)
	}
	data, err := json.Marshal(viewEvent(ev))
	if err != nil {
		return fmt.Errorf("inbox: encode event %s: %w", ev.ID, err)
	}
	s.feed.publish(sseFrame(string(ev.Type), ev.ID, data))
	return nil
}

// sseFrame renders one Server-Sent Event. Field values are single-line:
// json.Marshal escapes line breaks, and typ and id come from the hub.
func sseFrame(typ, id string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("event: " + oneLine(typ) + "\n")
	if id != "" {
		b.WriteString("id: " + oneLine(id) + "\n")
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

// events serves the live feed as Server-Sent Events. The connection counts
// towards the operator's presence: when their last one closes they are set
// away after the grace period, unless they reconnect first.
func (s *Server) events(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a feed outlives the server's write timeout

	c, err := s.feed.add(me.ID)
	if err != nil {
		return err
	}
	defer s.feed.remove(c)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 3000\n: connected\n\n")); err != nil || rc.Flush() != nil {
		return nil
	}
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	for {
		var frame []byte
		select {
		case <-r.Context().Done():
			return nil
		case <-s.feed.done:
			return nil
		case <-c.overflow:
			_, _ = w.Write(sseFrame("overflow", "", []byte(`{"reason":"the connection fell too far behind; reload"}`)))
			_ = rc.Flush()
			return nil
		case frame = <-c.frames:
		case <-beat.C:
			frame = []byte(": heartbeat\n\n")
		}
		if _, err := w.Write(frame); err != nil || rc.Flush() != nil {
			return nil // the client went away
		}
	}
}

// setPresence switches the caller online or away.
func (s *Server) setPresence(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req struct {
		Status core.Presence `json:"status"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.hub.SetPresence(r.Context(), me.ID, req.Status); err != nil {
		return err
	}
	return s.me(w, r, me)
}

// goAway sets an operator away once their grace period ran out.
func (s *Server) goAway(operatorID string) {
	ctx, cancel := context.WithTimeout(context.Background(), awayTimeout)
	defer cancel()
	if err := s.hub.SetPresence(ctx, operatorID, core.Away); err != nil {
		s.log.Warn("set operator away after last feed closed", "operator", operatorID, "err", err)
		return
	}
	s.log.Debug("operator away: last feed closed", "operator", operatorID)
}

// feed tracks live connections per operator and the away timers of
// operators who have none left.
type feed struct {
	grace time.Duration
	away  func(operatorID string)
	done  chan struct{} // closed by close: every connection ends

	mu     sync.Mutex
	closed bool
	conns  map[string]map[*feedConn]struct{}
	timers map[string]*awayTimer
}

type feedConn struct {
	operator string
	frames   chan []byte
	overflow chan struct{} // closed when the connection is dropped
	dropped  bool          // guarded by feed.mu
}

// awayTimer is compared by identity, so a timer that fires just as its
// operator reconnects can tell it was cancelled.
type awayTimer struct{ t *time.Timer }

func newFeed(grace time.Duration, away func(string)) *feed {
	return &feed{
		grace: grace, away: away, done: make(chan struct{}),
		conns: map[string]map[*feedConn]struct{}{}, timers: map[string]*awayTimer{},
	}
}

func (f *feed) add(operatorID string) (*feedConn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, &core.Error{Code: core.CodeConflict, Message: "the server is shutting down; reconnect shortly"}
	}
	if t := f.timers[operatorID]; t != nil {
		t.t.Stop()
		delete(f.timers, operatorID)
	}
	c := &feedConn{operator: operatorID, frames: make(chan []byte, feedBuffer), overflow: make(chan struct{})}
	if f.conns[operatorID] == nil {
		f.conns[operatorID] = map[*feedConn]struct{}{}
	}
	f.conns[operatorID][c] = struct{}{}
	return c, nil
}

func (f *feed) remove(c *feedConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	set := f.conns[c.operator]
	delete(set, c)
	if len(set) > 0 {
		return
	}
	delete(f.conns, c.operator)
	if f.closed {
		return
	}
	op := c.operator
	at := &awayTimer{}
	at.t = time.AfterFunc(f.grace, func() { f.expire(op, at) })
	f.timers[op] = at
}

// expire runs when an away timer fires.
func (f *feed) expire(operatorID string, at *awayTimer) {
	f.mu.Lock()
	current := f.timers[operatorID] == at && len(f.conns[operatorID]) == 0 && !f.closed
	if current {
		delete(f.timers, operatorID)
	}
	f.mu.Unlock()
	if current {
		f.away(operatorID)
	}
}

// publish queues frame on every connection, dropping those that are full.
// listening reports whether any connection is open.
func (f *feed) listening() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns) > 0
}

func (f *feed) publish(frame []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, set := range f.conns {
		for c := range set {
			if c.dropped {
				continue
			}
			select {
			case c.frames <- frame:
			default:
				c.dropped = true
				close(c.overflow)
			}
		}
	}
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	close(f.done)
	for id, t := range f.timers {
		t.t.Stop()
		delete(f.timers, id)
	}
}
