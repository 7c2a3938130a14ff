package bus_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/core"
)

func TestRelay_delivers_each_topic_in_order(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	a, b := seq("a", 150), seq("b", 150)
	for i := range a {
		o.add("events", "cnv_1", a[i])
		o.add(core.OutboundTopic("crm"), "cnv_2", b[i])
	}
	// A small queue and read batch make the workers fall behind and read
	// their backlog from the outbox.
	cfg := testConfig(o, &fakeSink{})
	cfg.Relay.QueueSize, cfg.Relay.ReadBatch = 4, 7
	bs := newBus(t, cfg)
	var ra, rb recorder
	bs.Handle("feed", "events", ra.handle)
	bs.Handle("deliver", core.OutboundTopic("crm"), rb.handle)
	start(t, bs)

	eventually(t, "outbox drained", func() bool { return len(o.pending()) == 0 })
	if got := ra.payloads(); !slices.Equal(got, a) {
		t.Errorf("events got %v, want %v", got, a)
	}
	if got := rb.payloads(); !slices.Equal(got, b) {
		t.Errorf("outbound got %v, want %v", got, b)
	}
	m := rb.got[0]
	if m.Topic != core.OutboundTopic("crm") || m.Key != "cnv_2" || m.Attempt != 1 || m.Metadata[bus.MetaOutboxID] != "2" {
		t.Errorf("first outbound message = %+v, want topic outbound_crm, key cnv_2, attempt 1, outbox id 2", m)
	}
}

func TestRelay_delivers_records_added_while_running(t *testing.T) {
	o := newFakeOutbox()
	bs := newBus(t, testConfig(o, &fakeSink{}))
	var r recorder
	bs.Handle("feed", "events", r.handle)
	start(t, bs)

	want := seq("e", 50)
	for _, p := range want {
		o.add("events", "k", p)
	}
	eventually(t, "all delivered", func() bool { return r.count() == len(want) && len(o.pending()) == 0 })
	if got := r.payloads(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRelay_every_handler_of_a_topic_sees_every_message(t *testing.T) {
	o := newFakeOutbox()
	bs := newBus(t, testConfig(o, &fakeSink{}))
	var feed, webhooks recorder
	bs.Handle("feed", "events", feed.handle)
	bs.Handle("webhooks", "events", webhooks.handle)
	start(t, bs)

	want := seq("e", 20)
	for _, p := range want {
		o.add("events", "k", p)
	}
	eventually(t, "outbox drained", func() bool { return len(o.pending()) == 0 })
	for name, r := range map[string]*recorder{"feed": &feed, "webhooks": &webhooks} {
		if got := r.payloads(); !slices.Equal(got, want) {
			t.Errorf("%s got %v, want %v", name, got, want)
		}
	}
}

func TestRelay_slow_topic_does_not_block_other_topics(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	release := make(chan struct{})
	bs := newBus(t, testConfig(o, &fakeSink{}))
	bs.Handle("slow", core.OutboundTopic("sms"), func(ctx context.Context, m bus.Message) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var fast recorder
	bs.Handle("fast", "events", fast.handle)
	start(t, bs)

	slow := o.add(core.OutboundTopic("sms"), "cnv_1", "stuck")
	want := seq("e", 300) // more than a queue holds
	for _, p := range want {
		o.add("events", "cnv_2", p)
	}
	eventually(t, "fast topic delivered", func() bool { return fast.count() == len(want) })
	eventually(t, "fast topic done", func() bool { return slices.Equal(o.pending(), []int64{slow}) })

	close(release)
	eventually(t, "slow topic done", func() bool { return len(o.pending()) == 0 })
}

func TestRelay_restart_replays_pending_records(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	first := o.add("events", "k", "one")
	stuck := o.add("events", "k", "two")
	third := o.add("events", "k", "three")

	// The first bus handles "one", then is shut down while handling "two".
	b1 := newBus(t, testConfig(o, &fakeSink{}))
	var r1 recorder
	handling := make(chan struct{})
	b1.Handle("feed", "events", func(ctx context.Context, m bus.Message) error {
		if string(m.Payload) == "two" {
			close(handling)
			<-ctx.Done()
			return ctx.Err()
		}
		return r1.handle(ctx, m)
	})
	stop := start(t, b1)
	<-handling
	stop()
	if got, want := o.pending(), []int64{stuck, third}; !slices.Equal(got, want) {
		t.Fatalf("pending after shutdown = %v, want %v (first was %d)", got, want, first)
	}

	// A new bus on the same outbox resumes.
	b2 := newBus(t, testConfig(o, &fakeSink{}))
	var r2 recorder
	b2.Handle("feed", "events", r2.handle)
	start(t, b2)
	eventually(t, "replayed", func() bool { return len(o.pending()) == 0 })
	if got, want := r2.payloads(), []string{"two", "three"}; !slices.Equal(got, want) {
		t.Errorf("replayed %v, want %v", got, want)
	}
}

func TestRelay_topic_without_handler_stays_pending(t *testing.T) {
	o := newFakeOutbox()
	orphan := o.add(core.OutboundTopic("gone"), "k", "x")
	o.add("events", "k", "e")
	bs := newBus(t, testConfig(o, &fakeSink{}))
	var r recorder
	bs.Handle("feed", "events", r.handle)
	start(t, bs)

	eventually(t, "handled topic done", func() bool { return r.count() == 1 })
	time.Sleep(50 * time.Millisecond) // a few polls
	if got, want := o.pending(), []int64{orphan}; !slices.Equal(got, want) {
		t.Errorf("pending = %v, want %v", got, want)
	}
}

func TestRelay_batches_done_marks(t *testing.T) {
	o := newFakeOutbox()
	const n = 200
	for _, p := range seq("e", n) {
		o.add("events", "k", p)
	}
	cfg := testConfig(o, &fakeSink{})
	cfg.Relay.DoneInterval = 20 * time.Millisecond
	bs := newBus(t, cfg)
	var r recorder
	bs.Handle("feed", "events", r.handle)
	start(t, bs)

	eventually(t, "outbox drained", func() bool { return len(o.pending()) == 0 })
	o.mu.Lock()
	calls := o.doneCalls
	o.mu.Unlock()
	if calls >= n/2 {
		t.Errorf("OutboxDone calls = %d for %d records, want batches", calls, n)
	}
}

func TestRelay_recovers_from_outbox_read_errors(t *testing.T) {
	o := newFakeOutbox()
	bs := newBus(t, testConfig(o, &fakeSink{}))
	var r recorder
	bs.Handle("feed", "events", r.handle)
	start(t, bs)

	o.setReadErr(errors.New("database is locked"))
	o.add("events", "k", "e")
	time.Sleep(30 * time.Millisecond)
	if r.count() != 0 {
		t.Fatalf("delivered while the outbox could not be read")
	}
	o.setReadErr(nil)
	eventually(t, "delivered after the store recovered", func() bool { return len(o.pending()) == 0 && r.count() == 1 })
}

func TestRelay_keeps_order_when_a_topic_falls_behind_while_records_arrive(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	cfg := testConfig(o, &fakeSink{})
	cfg.Relay.QueueSize, cfg.Relay.ReadBatch = 2, 5
	bs := newBus(t, cfg)
	topics := []string{"events", core.OutboundTopic("a"), core.OutboundTopic("b")}
	recs := make([]*recorder, len(topics))
	for i, topic := range topics {
		recs[i] = &recorder{}
		r := recs[i]
		bs.Handle("h_"+topic, topic, func(ctx context.Context, m bus.Message) error {
			if i == 0 && r.count()%10 == 0 {
				time.Sleep(time.Millisecond) // the first topic falls behind now and then
			}
			return r.handle(ctx, m)
		})
	}
	start(t, bs)

	const n = 300
	want := make([][]string, len(topics))
	for i, topic := range topics {
		want[i] = seq(topic, n)
	}
	for j := range n {
		for i, topic := range topics {
			o.add(topic, "k", want[i][j])
		}
		if j%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	eventually(t, "outbox drained", func() bool { return len(o.pending()) == 0 })
	for i, topic := range topics {
		if got := recs[i].payloads(); !slices.Equal(got, want[i]) {
			t.Errorf("%s got %d records %v, want %d in order", topic, len(got), got, n)
		}
	}
}
