package webhook

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// otherSecret signs the second subscription, so each subscriber checks its
// own secret.
var otherSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("another secret of 32 bytes......"))

// memDeliveryLog records delivery attempts.
type memDeliveryLog struct {
	mu  sync.Mutex
	got []core.EventDelivery
}

func (l *memDeliveryLog) LogEventDelivery(ctx context.Context, d core.EventDelivery) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, d)
	return nil
}

func (l *memDeliveryLog) entries() []core.EventDelivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]core.EventDelivery(nil), l.got...)
}

func eventPayload(t *testing.T, id string, typ core.EventType) []byte {
	t.Helper()
	b, err := json.Marshal(core.Event{ID: id, Type: typ, Timestamp: testNow,
		Data: core.EventData{Message: &core.Message{ID: "msg_1", Text: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSender(t *testing.T, subs []Subscription, log DeliveryLog) *EventSender {
	t.Helper()
	s, err := NewEventSender(subs, EventDeps{Log: log, Now: fixedNow})
	if err != nil {
		t.Fatalf("NewEventSender: %v", err)
	}
	return s
}

func (s *EventSender) pendingLen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

func TestDeliver_only_matching_types_each_signed_with_its_secret(t *testing.T) {
	created := newHookServer(t, nil)
	status := newHookServer(t, nil)
	all := newHookServerWithSecret(t, otherSecret, nil)
	s := newSender(t, []Subscription{
		{URL: created.URL, Secret: testSecret, Types: []string{"message.created"}},
		{URL: status.URL, Secret: testSecret, Types: []string{"conversation.status_changed"}},
		{URL: all.URL, Secret: otherSecret, Types: []string{"*"}},
	}, nil)
	payload := eventPayload(t, "evt_1", core.EventMessageCreated)

	if err := s.Deliver(context.Background(), payload, 1); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	for _, tt := range []struct {
		name string
		hook *hookServer
		want int
	}{{"message.created", created, 1}, {"conversation.status_changed", status, 0}, {"*", all, 1}} {
		bodies, headers := tt.hook.requests(t)
		if len(bodies) != tt.want {
			t.Errorf("subscriber of %s got %d requests, want %d", tt.name, len(bodies), tt.want)
			continue
		}
		if tt.want == 1 {
			if !bytes.Equal(bodies[0], payload) {
				t.Errorf("subscriber of %s got %s, want the payload byte for byte", tt.name, bodies[0])
			}
			if id := headers[0].Get(HeaderID); id != "evt_1" {
				t.Errorf("webhook-id = %q, want the event id", id)
			}
		}
	}
	if n := s.pendingLen(); n != 0 {
		t.Errorf("%d events remembered after full delivery, want 0", n)
	}
}

func TestDeliver_retry_skips_subscriptions_that_succeeded(t *testing.T) {
	good := newHookServer(t, nil)
	var calls atomic.Int32
	flaky := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
		}
	})
	log := &memDeliveryLog{}
	s := newSender(t, []Subscription{
		{URL: good.URL, Secret: testSecret, Types: []string{"*"}},
		{URL: flaky.URL, Secret: testSecret, Types: []string{"*"}},
	}, log)
	payload := eventPayload(t, "evt_2", core.EventConversationStatusChanged)

	err := s.Deliver(context.Background(), payload, 1)
	if err == nil || core.IsPermanent(err) || !strings.Contains(err.Error(), "1 of 2 webhooks failed") {
		t.Fatalf("attempt 1: err = %v, want a temporary error naming 1 of 2 failures", err)
	}
	if err := s.Deliver(context.Background(), payload, 2); err != nil {
		t.Fatalf("attempt 2: %v", err)
	}
	goodBodies, _ := good.requests(t)
	flakyBodies, _ := flaky.requests(t)
	if len(goodBodies) != 1 || len(flakyBodies) != 2 {
		t.Errorf("good got %d, flaky got %d requests; want 1 and 2", len(goodBodies), len(flakyBodies))
	}
	if n := s.pendingLen(); n != 0 {
		t.Errorf("%d events remembered after full delivery, want 0", n)
	}

	want := []struct {
		url     string
		attempt int
		status  int
		failed  bool
	}{{good.URL, 1, 204, false}, {flaky.URL, 1, 503, true}, {flaky.URL, 2, 200, false}}
	got := log.entries()
	if len(got) != len(want) {
		t.Fatalf("delivery log has %d entries, want %d: %+v", len(got), len(want), got)
	}
	seen := map[string]bool{}
	for _, d := range got {
		if d.EventID != "evt_2" || d.EventType != "conversation.status_changed" || !d.At.Equal(testNow) || d.Duration <= 0 {
			t.Errorf("entry %+v", d)
		}
		seen[fmt.Sprint(d.URL, d.Attempt, d.StatusCode, d.Error != "")] = true
	}
	for _, w := range want {
		if !seen[fmt.Sprint(w.url, w.attempt, w.status, w.failed)] {
			t.Errorf("no log entry for %+v in %+v", w, got)
		}
	}
}

func TestDeliver_permanent_only_when_every_failure_is(t *testing.T) {
	answer := func(code int) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
	}
	tests := []struct {
		name      string
		codes     []int
		permanent bool
	}{
		{"one 400", []int{400}, true},
		{"400 and 404", []int{400, 404}, true},
		{"400 and 500", []int{400, 500}, false},
		{"400 and 429", []int{400, 429}, false},
		{"400 and a success", []int{400, 200}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var subs []Subscription
			for _, code := range tt.codes {
				h := newHookServer(t, answer(code))
				subs = append(subs, Subscription{URL: h.URL, Secret: testSecret, Types: []string{"*"}})
			}
			err := newSender(t, subs, nil).Deliver(context.Background(), eventPayload(t, "evt_3", core.EventContactUpdated), 1)
			if err == nil || core.IsPermanent(err) != tt.permanent {
				t.Errorf("err = %v, permanent %v; want permanent %v", err, core.IsPermanent(err), tt.permanent)
			}
		})
	}
}

func TestDeliver_not_an_event_is_permanent(t *testing.T) {
	s := newSender(t, nil, nil)
	for _, p := range []string{`not json`, `{"type":"message.created"}`, `{"id":"evt_1"}`} {
		if err := s.Deliver(context.Background(), []byte(p), 1); !core.IsPermanent(err) {
			t.Errorf("Deliver(%s) = %v, want permanent", p, err)
		}
	}
}

func TestDeliver_without_subscribers_is_nil(t *testing.T) {
	hook := newHookServer(t, nil)
	s := newSender(t, []Subscription{{URL: hook.URL, Secret: testSecret, Types: []string{"contact.erased"}}}, nil)
	if err := s.Deliver(context.Background(), eventPayload(t, "evt_4", core.EventMessageCreated), 1); err != nil {
		t.Errorf("Deliver = %v, want nil", err)
	}
	if bodies, _ := hook.requests(t); len(bodies) != 0 {
		t.Errorf("hook got %d requests, want none", len(bodies))
	}
}

func TestDeliver_timeout_is_temporary(t *testing.T) {
	release := make(chan struct{})
	hook := newHookServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	s, err := NewEventSender([]Subscription{{URL: hook.URL, Secret: testSecret, Types: []string{"*"}}},
		EventDeps{Now: fixedNow, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Deliver(context.Background(), eventPayload(t, "evt_5", core.EventMessageCreated), 1)
	if err == nil || core.IsPermanent(err) || !strings.Contains(err.Error(), "did not answer within 50ms") {
		t.Errorf("err = %v, want a temporary timeout", err)
	}
}

func TestNewEventSender_refuses_bad_subscriptions(t *testing.T) {
	tests := []struct {
		name    string
		sub     Subscription
		wantErr string
	}{
		{"relative url", Subscription{URL: "/hooks", Secret: testSecret, Types: []string{"*"}}, "events[0]: url"},
		{"bad secret", Subscription{URL: "https://x.example/h", Secret: "s3cret", Types: []string{"*"}}, "events[0]: secret"},
		{"no types", Subscription{URL: "https://x.example/h", Secret: testSecret}, "types is empty"},
		{"malformed type", Subscription{URL: "https://x.example/h", Secret: testSecret, Types: []string{"Message Created"}}, `"Message Created"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEventSender([]Subscription{tt.sub}, EventDeps{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestEventSender_remembers_a_bounded_number_of_events(t *testing.T) {
	s := newSender(t, nil, nil)
	for i := range maxPendingEvents + 10 {
		s.remember(fmt.Sprintf("evt_%d", i), map[int]bool{0: true})
	}
	if n := s.pendingLen(); n != maxPendingEvents {
		t.Errorf("remembered %d events, want %d", n, maxPendingEvents)
	}
	if len(s.delivered("evt_0")) != 0 || !s.delivered(fmt.Sprintf("evt_%d", maxPendingEvents+9))[0] {
		t.Error("want the oldest events forgotten and the newest kept")
	}
}
