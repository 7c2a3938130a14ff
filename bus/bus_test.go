package bus_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/core"
)

func TestConfig_Validate(t *testing.T) {
	sink := &fakeSink{}
	gc := gochannel.NewGoChannel(gochannel.Config{}, nil)
	tests := []struct {
		name string
		cfg  bus.Config
		want string // "" for valid
	}{
		{"defaults", bus.Config{Poison: sink}, ""},
		{"no poison sink", bus.Config{}, "poison sink is required"},
		{"nats without pubsub", bus.Config{Driver: "nats", Poison: sink}, `driver "nats" needs a pubsub`},
		{"nats with pubsub", bus.Config{Driver: "nats", Poison: sink, PubSub: &bus.PubSub{Publisher: gc, Subscriber: gc}}, ""},
		{"half a pubsub", bus.Config{Poison: sink, PubSub: &bus.PubSub{Publisher: gc}}, "both a publisher and a subscriber"},
		{"max below initial", bus.Config{Poison: sink, Retry: bus.RetryConfig{InitialInterval: time.Second, MaxInterval: time.Millisecond}}, "retry intervals"},
		{"shrinking backoff", bus.Config{Poison: sink, Retry: bus.RetryConfig{Multiplier: 0.5}}, "multiplier 0.5"},
		{"negative queue", bus.Config{Poison: sink, Relay: bus.RelayConfig{QueueSize: -1}}, "queue size (-1)"},
		{"negative buffer", bus.Config{Poison: sink, Buffer: -1}, "buffer -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bus.New(tt.cfg, nil)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("New = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestPublish_returns_once_handled(t *testing.T) {
	noLeaks(t)
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	var handled atomic.Bool
	bs.Handle("receive", core.TopicInbound, func(ctx context.Context, m bus.Message) error {
		time.Sleep(20 * time.Millisecond)
		if m.Key != "imap:INBOX:42" || m.Metadata["uid"] != "42" {
			t.Errorf("message = %+v, want key imap:INBOX:42 and uid metadata", m)
		}
		handled.Store(true)
		return nil
	})
	start(t, bs)

	err := bs.Publish(context.Background(), core.TopicInbound, "imap:INBOX:42", []byte("raw"), map[string]string{"uid": "42"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if !handled.Load() {
		t.Error("Publish returned before the handler finished")
	}
}

func TestPublish_refusals(t *testing.T) {
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	bs.Handle("receive", core.TopicInbound, func(ctx context.Context, m bus.Message) error { return nil })
	ctx := context.Background()

	if err := bs.Publish(ctx, core.TopicInbound, "k", nil, nil); !errors.Is(err, bus.ErrNotRunning) {
		t.Errorf("Publish before Run = %v, want ErrNotRunning", err)
	}
	stop := start(t, bs)
	if err := bs.Publish(ctx, "nobody_listens", "k", nil, nil); err == nil || !strings.Contains(err.Error(), "no handler") {
		t.Errorf("Publish to a topic without handler = %v, want a no handler error", err)
	}
	stop()
	if err := bs.Publish(ctx, core.TopicInbound, "k", nil, nil); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Publish after shutdown = %v, want ErrClosed", err)
	}
}

func TestPublish_gives_up_when_ctx_is_done(t *testing.T) {
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	release := make(chan struct{})
	bs.Handle("receive", core.TopicInbound, func(ctx context.Context, m bus.Message) error {
		<-release
		return nil
	})
	start(t, bs)
	defer close(release)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := bs.Publish(ctx, core.TopicInbound, "k", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Publish = %v, want DeadlineExceeded", err)
	}
}

func TestRun_fails_whole_when_the_outbox_cannot_be_read(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	o.setReadErr(errors.New("no such table: outbox"))
	bs := newBus(t, testConfig(o, &fakeSink{}))
	bs.Handle("feed", "events", func(ctx context.Context, m bus.Message) error { return nil })

	err := bs.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no such table: outbox") {
		t.Errorf("Run = %v, want the outbox error", err)
	}
	select {
	case <-bs.Running():
		t.Error("Running closed after a failed start")
	default:
	}
}

func TestRun_reports_bad_registrations(t *testing.T) {
	h := func(ctx context.Context, m bus.Message) error { return nil }
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	bs.Handle("feed", "events", h)
	bs.Handle("feed", "inbound", h)
	bs.Handle("", "events", h)

	err := bs.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"feed" on "inbound": a handler of that name exists`) ||
		!strings.Contains(err.Error(), "name, topic and handler are required") {
		t.Errorf("Run = %v, want both registration errors", err)
	}
}

func TestRun_runs_once(t *testing.T) {
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	start(t, bs)
	if err := bs.Run(context.Background()); err == nil {
		t.Error("second Run = nil, want an error")
	}
}

func TestRun_returns_on_cancel_while_a_handler_retries(t *testing.T) {
	noLeaks(t)
	o := newFakeOutbox()
	cfg := testConfig(o, &fakeSink{})
	cfg.Retry = bus.RetryConfig{MaxRetries: 100, InitialInterval: time.Hour, MaxInterval: time.Hour}
	bs := newBus(t, cfg)
	failed := make(chan struct{}, 1)
	bs.Handle("deliver", "events", func(ctx context.Context, m bus.Message) error {
		select {
		case failed <- struct{}{}:
		default:
		}
		return errors.New("down")
	})
	stop := start(t, bs)
	id := o.add("events", "k", "e")
	<-failed

	begin := time.Now()
	stop()
	if d := time.Since(begin); d > time.Second {
		t.Errorf("shutdown took %s, want it to cut the backoff short", d)
	}
	if got := o.pending(); len(got) != 1 || got[0] != id {
		t.Errorf("pending = %v, want [%d]: a message interrupted by shutdown is not poisoned", got, id)
	}
}

func TestRun_without_handlers_or_outbox(t *testing.T) {
	noLeaks(t)
	bs := newBus(t, testConfig(nil, &fakeSink{}))
	start(t, bs)()
}

func TestPubSub_supplied_by_the_caller_is_used_and_closed(t *testing.T) {
	noLeaks(t)
	gc := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, nil)
	o := newFakeOutbox()
	cfg := testConfig(o, &fakeSink{})
	cfg.Driver, cfg.PubSub = "nats", &bus.PubSub{Publisher: gc, Subscriber: gc}
	bs := newBus(t, cfg)
	var r recorder
	bs.Handle("feed", "events", r.handle)
	stop := start(t, bs)

	o.add("events", "k", "e")
	eventually(t, "delivered", func() bool { return len(o.pending()) == 0 && r.count() == 1 })
	stop()
	if err := gc.Publish("events"); err == nil {
		t.Error("publish after Run returned = nil, want the pub/sub closed")
	}
}
