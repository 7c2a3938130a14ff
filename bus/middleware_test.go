package bus_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/core"
)

// attempts records the Attempt of every call and fails the first failures
// calls with err.
type attempts struct {
	mu       sync.Mutex
	seen     []int
	failures int
	err      error
}

func (a *attempts) handle(ctx context.Context, m bus.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, m.Attempt)
	if len(a.seen) <= a.failures {
		return a.err
	}
	return nil
}

func (a *attempts) calls() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.seen)
}

func TestRetry_failing_three_times_then_succeeding_is_handled_once(t *testing.T) {
	o := newFakeOutbox()
	sink := &fakeSink{}
	bs := newBus(t, testConfig(o, sink))
	h := &attempts{failures: 3, err: errors.New("provider timeout")}
	bs.Handle("deliver", core.OutboundTopic("sms"), h.handle)
	start(t, bs)

	o.add(core.OutboundTopic("sms"), "cnv_1", `{"message_id":"msg_1"}`)
	eventually(t, "record done", func() bool { return len(o.pending()) == 0 })
	if got, want := h.calls(), []int{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("attempts = %v, want %v", got, want)
	}
	if got := sink.poisoned(); len(got) != 0 {
		t.Errorf("poisoned %v, want nothing", got)
	}
}

func TestRetry_backs_off_exponentially(t *testing.T) {
	o := newFakeOutbox()
	cfg := testConfig(o, &fakeSink{})
	cfg.Retry = bus.RetryConfig{MaxRetries: 3, InitialInterval: 20 * time.Millisecond, MaxInterval: 50 * time.Millisecond, Multiplier: 2}
	bs := newBus(t, cfg)
	var mu sync.Mutex
	var at []time.Time
	bs.Handle("deliver", "events", func(ctx context.Context, m bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Now())
		return errors.New("try later")
	})
	start(t, bs)

	o.add("events", "k", "e")
	eventually(t, "poisoned", func() bool { return len(o.pending()) == 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 4 {
		t.Fatalf("calls = %d, want 4", len(at))
	}
	for i, want := range []time.Duration{20, 40, 50} { // 80 capped at 50
		if got := at[i+1].Sub(at[i]); got < want*time.Millisecond {
			t.Errorf("wait before retry %d = %s, want at least %dms", i+1, got, want)
		}
	}
}

func TestPoison_permanent_error_is_not_retried(t *testing.T) {
	o := newFakeOutbox()
	sink := &fakeSink{}
	bs := newBus(t, testConfig(o, sink))
	h := &attempts{failures: 100, err: core.Permanent(errors.New("21610: recipient unsubscribed"))}
	bs.Handle("deliver", core.OutboundTopic("sms"), h.handle)
	start(t, bs)

	o.add(core.OutboundTopic("sms"), "cnv_1", `{"message_id":"msg_1"}`)
	eventually(t, "record done", func() bool { return len(o.pending()) == 0 })
	if got, want := h.calls(), []int{1}; !slices.Equal(got, want) {
		t.Errorf("attempts = %v, want %v", got, want)
	}
	got := sink.poisoned()
	if len(got) != 1 {
		t.Fatalf("poisoned %d messages, want 1", len(got))
	}
	want := core.Poisoned{
		Topic: core.OutboundTopic("sms"), Key: "cnv_1", Handler: "deliver",
		Reason: "21610: recipient unsubscribed", Payload: []byte(`{"message_id":"msg_1"}`),
	}
	if p := got[0]; p.Topic != want.Topic || p.Key != want.Key || p.Handler != want.Handler ||
		p.Reason != want.Reason || string(p.Payload) != string(want.Payload) || p.ID != "" || p.CreatedAt.IsZero() {
		t.Errorf("poisoned = %+v, want %+v with a creation time", p, want)
	}
}

func TestPoison_after_retries_are_exhausted(t *testing.T) {
	o := newFakeOutbox()
	sink := &fakeSink{}
	bs := newBus(t, testConfig(o, sink)) // MaxRetries 3
	h := &attempts{failures: 100, err: errors.New("503 service unavailable")}
	bs.Handle("deliver", "events", h.handle)
	start(t, bs)

	o.add("events", "cnv_1", "e")
	eventually(t, "record done", func() bool { return len(o.pending()) == 0 })
	if got, want := h.calls(), []int{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("attempts = %v, want %v", got, want)
	}
	got := sink.poisoned()
	if len(got) != 1 || got[0].Reason != "503 service unavailable" || got[0].Handler != "deliver" {
		t.Errorf("poisoned = %+v, want one with reason %q from handler deliver", got, "503 service unavailable")
	}
}

func TestPoison_sink_failure_redelivers_instead_of_acking(t *testing.T) {
	o := newFakeOutbox()
	sink := &fakeSink{fail: func(n int) error {
		if n == 1 {
			return errors.New("database is locked")
		}
		return nil
	}}
	cfg := testConfig(o, sink)
	cfg.Retry.MaxRetries = -1 // no retries: one call per delivery
	bs := newBus(t, cfg)
	h := &attempts{failures: 100, err: errors.New("down")}
	bs.Handle("deliver", "events", h.handle)
	start(t, bs)

	o.add("events", "k", "e")
	eventually(t, "record done", func() bool { return len(o.pending()) == 0 })
	if got, want := h.calls(), []int{1, 1}; !slices.Equal(got, want) {
		t.Errorf("attempts = %v, want %v (redelivered once)", got, want)
	}
	if got := len(sink.poisoned()); got != 1 {
		t.Errorf("poisoned %d, want 1", got)
	}
}

func TestPoison_sink_failing_keeps_the_record(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	sink := &fakeSink{fail: func(int) error { return errors.New("disk full") }}
	bs := newBus(t, testConfig(o, sink))
	h := &attempts{failures: 1000, err: errors.New("down")}
	bs.Handle("deliver", "events", h.handle)
	stop := start(t, bs)

	id := o.add("events", "k", "e")
	eventually(t, "sink tried twice", func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return sink.n >= 2
	})
	stop()
	if got, want := o.pending(), []int64{id}; !slices.Equal(got, want) {
		t.Errorf("pending = %v, want %v", got, want)
	}
}

func TestRecoverer_panic_is_poisoned_and_the_bus_lives_on(t *testing.T) {
	o := newFakeOutbox()
	sink := &fakeSink{}
	bs := newBus(t, testConfig(o, sink))
	var r recorder
	bs.Handle("feed", "events", func(ctx context.Context, m bus.Message) error {
		if string(m.Payload) == "bad" {
			var conv *core.Conversation
			_ = conv.ID // nil pointer dereference
		}
		return r.handle(ctx, m)
	})
	start(t, bs)

	o.add("events", "k", "bad")
	o.add("events", "k", "good")
	eventually(t, "both done", func() bool { return len(o.pending()) == 0 })
	if got, want := r.payloads(), []string{"good"}; !slices.Equal(got, want) {
		t.Errorf("handled %v, want %v", got, want)
	}
	got := sink.poisoned()
	if len(got) != 1 || !strings.HasPrefix(got[0].Reason, "handler panicked: runtime error: invalid memory address") {
		t.Errorf("poisoned = %+v, want one panic", got)
	}
}

func TestCorrelationID_reaches_the_handler_context(t *testing.T) {
	o := newFakeOutbox()
	bs := newBus(t, testConfig(o, &fakeSink{}))
	type seen struct{ ctx, meta string }
	got := make(chan seen, 2)
	bs.Handle("feed", core.TopicInbound, func(ctx context.Context, m bus.Message) error {
		got <- seen{bus.CorrelationID(ctx), m.Metadata[bus.MetaCorrelationID]}
		return nil
	})
	start(t, bs)

	ctx := bus.WithCorrelationID(context.Background(), "req-42")
	if err := bs.Publish(ctx, core.TopicInbound, "k", []byte("x"), nil); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if s := <-got; s.ctx != "req-42" || s.meta != "req-42" {
		t.Errorf("published: correlation id in ctx %q, metadata %q, want req-42", s.ctx, s.meta)
	}

	o.add(core.TopicInbound, "k", "y")
	if s := <-got; s.ctx == "" || s.ctx != s.meta {
		t.Errorf("relayed: correlation id in ctx %q, metadata %q, want the same non-empty id", s.ctx, s.meta)
	}
}

func TestPoison_copy_goes_to_the_poison_topic(t *testing.T) {
	o := newFakeOutbox()
	cfg := testConfig(o, &fakeSink{})
	cfg.PoisonTopic = "poison"
	bs := newBus(t, cfg)
	bs.Handle("deliver", "events", func(ctx context.Context, m bus.Message) error {
		return core.Permanent(errors.New("refused"))
	})
	var r recorder
	bs.Handle("watch", "poison", r.handle)
	start(t, bs)

	o.add("events", "cnv_1", "e")
	eventually(t, "copy published", func() bool { return r.count() == 1 })
	m := r.got[0]
	if m.Metadata[bus.MetaPoisonReason] != "refused" || m.Metadata[bus.MetaPoisonHandler] != "deliver" ||
		m.Metadata[bus.MetaPoisonTopic] != "events" || m.Key != "cnv_1" {
		t.Errorf("poison copy = %+v, want reason, handler, topic and key", m)
	}
}
