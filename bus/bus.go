package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// ErrClosed is returned by Publish once the bus is shutting down: the
// message may or may not have been handled.
var ErrClosed = errors.New("bus closed")

// ErrNotRunning is returned by Publish before Run has started the bus.
var ErrNotRunning = errors.New("bus not running")

// Bus relays the outbox onto watermill and runs the handlers. Register
// handlers with Handle, then call Run once.
type Bus struct {
	cfg    Config
	log    *slog.Logger
	pub    message.Publisher
	sub    message.Subscriber
	router *message.Router

	mu       sync.Mutex
	started  bool
	handlers map[string]bool // by name
	topics   map[string]int  // handlers per topic
	errs     []error         // registration errors, reported by Run

	running chan struct{}
	closing chan struct{}
}

// New builds a bus from cfg, after applying its defaults. A nil logger
// discards.
func New(cfg Config, logger *slog.Logger) (*Bus, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	wlog := watermillLogger(logger)

	b := &Bus{
		cfg: cfg, log: logger,
		handlers: map[string]bool{}, topics: map[string]int{},
		running: make(chan struct{}), closing: make(chan struct{}),
	}
	if cfg.PubSub != nil {
		b.pub, b.sub = cfg.PubSub.Publisher, cfg.PubSub.Subscriber
	} else {
		gc := gochannel.NewGoChannel(gochannel.Config{
			OutputChannelBuffer:            int64(cfg.Buffer),
			BlockPublishUntilSubscriberAck: true,
		}, wlog)
		b.pub, b.sub = gc, gc
	}

	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, wlog)
	if err != nil {
		return nil, fmt.Errorf("new router: %w", err)
	}
	p := poison{sink: cfg.Poison, pause: cfg.Retry.MaxInterval, log: logger}
	if cfg.PoisonTopic != "" {
		p.pub, p.topic = b.pub, cfg.PoisonTopic
	}
	router.AddMiddleware(correlate, p.Middleware, retry(cfg.Retry, logger), recoverer(logger))
	b.router = router
	return b, nil
}

// Handle registers h under a unique name for every message on topic. Every
// handler of a topic gets every message on it; a message is done once all of
// them handled or poisoned it.
//
// Handle must be called before Run; it panics after. A bad registration (an
// empty or duplicate name) makes Run fail. A handler must not Publish,
// directly or through other handlers, to its own topic: the publish would
// wait for the handler itself.
func (b *Bus) Handle(name, topic string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		panic(fmt.Sprintf("bus: Handle(%q, %q) called after Run", name, topic))
	}
	switch {
	case name == "" || topic == "" || h == nil:
		b.errs = append(b.errs, fmt.Errorf("handle %q on %q: name, topic and handler are required", name, topic))
		return
	case b.handlers[name]:
		b.errs = append(b.errs, fmt.Errorf("handle %q on %q: a handler of that name exists", name, topic))
		return
	}
	b.handlers[name] = true
	b.topics[topic]++
	b.router.AddConsumerHandler(name, topic, b.sub, h.consume(topic))
}

// Running is closed once Run has subscribed every handler and started the
// relay.
func (b *Bus) Running() chan struct{} { return b.running }

// Publish puts a message on topic and returns once the handlers took it
// (with the memory driver: handled or poisoned; with a broker: stored).
// It is for adapters that have no waiting caller (pollers); everything the
// core decides goes through the outbox instead.
//
// Refused are topics without a handler, calls before Run, and calls once
// the bus is closing (ErrClosed: the message may have been handled). The
// correlation id comes from metadata, else CorrelationID(ctx), else it is
// the message's UUID. If ctx is done first Publish returns ctx.Err() and the message may
// still be handled.
func (b *Bus) Publish(ctx context.Context, topic, key string, payload []byte, metadata map[string]string) error {
	select {
	case <-b.running:
	default:
		return fmt.Errorf("publish to %s: %w", topic, ErrNotRunning)
	}
	select {
	case <-b.closing:
		return fmt.Errorf("publish to %s: %w", topic, ErrClosed)
	default:
	}
	if !b.handled(topic) {
		return fmt.Errorf("publish to %s: no handler for the topic", topic)
	}

	msg := newMessage(key, payload, metadata, CorrelationID(ctx))
	done := make(chan error, 1)
	go func() { done <- b.pub.Publish(topic, msg) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("publish to %s: %w", topic, err)
		}
	case <-ctx.Done():
		return fmt.Errorf("publish to %s: %w", topic, ctx.Err())
	}
	select {
	case <-b.closing:
		return fmt.Errorf("publish to %s: %w", topic, ErrClosed)
	default:
		return nil
	}
}

func (b *Bus) handled(topic string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.topics[topic] > 0
}

// Run subscribes the handlers, starts the relay and runs both until ctx is
// cancelled; then it stops taking records, closes the router (waiting up
// to CloseTimeout for running handlers), waits for the relay and closes the
// pub/sub. Records in flight at that moment stay in the outbox and are
// replayed by the next Run.
//
// The start is all or nothing: if a handler cannot subscribe or the outbox
// cannot be read, everything started is stopped and Run returns the error.
// Run returns nil after a clean shutdown. A Bus runs once.
func (b *Bus) Run(ctx context.Context) error {
	topics, err := b.start()
	if err != nil {
		return err
	}

	// The router gets a context of its own: its subscriptions must end
	// only after closing is closed, or the relay would take messages the
	// pub/sub gave up on for handled ones.
	routerDone := make(chan error, 1)
	go func() { routerDone <- b.router.Run(context.WithoutCancel(ctx)) }()
	select {
	case <-b.router.Running():
	case err := <-routerDone:
		// Handlers subscribed so far stop with the router's context.
		close(b.closing)
		return errors.Join(fmt.Errorf("start router: %w", err), b.closePubSub())
	}
	if ctx.Err() != nil {
		return b.stop(nil, nil, routerDone)
	}

	var rl *relay
	relayCtx, cancelRelay := context.WithCancel(ctx)
	defer cancelRelay()
	if b.cfg.Outbox != nil {
		rl = newRelay(b.cfg.Outbox, b.pub, topics, b.cfg.Relay, b.log, b.closing)
		if err := rl.start(relayCtx); err != nil {
			return b.stop(nil, fmt.Errorf("start relay: %w", err), routerDone)
		}
	}
	close(b.running)
	b.log.Info("bus running", "driver", b.cfg.Driver, "topics", topics)

	select {
	case <-ctx.Done():
		cancelRelay()
		return b.stop(rl, nil, routerDone)
	case err := <-routerDone:
		// Every subscription ended (the broker went away): stop the rest.
		cancelRelay()
		return b.stop(rl, errors.Join(errors.New("router stopped: every subscription ended"), err), nil)
	}
}

// start marks the bus started and returns its handled topics, or the
// registration errors.
func (b *Bus) start() ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return nil, errors.New("bus: Run called twice")
	}
	b.started = true
	if err := errors.Join(b.errs...); err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	return slices.Sorted(maps.Keys(b.topics)), nil
}

// stop shuts the bus down in the order that loses nothing: publishes stop
// counting as handled, the router closes (unblocking publishes), the relay
// finishes, the pub/sub closes. cause is returned with any close error.
// routerDone, if not nil, is waited for.
func (b *Bus) stop(rl *relay, cause error, routerDone <-chan error) error {
	select {
	case <-b.closing:
	default:
		close(b.closing)
	}
	errs := []error{cause}
	if err := b.router.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close router: %w", err))
	}
	if rl != nil {
		rl.wait()
	}
	if routerDone != nil {
		if err := <-routerDone; err != nil {
			errs = append(errs, fmt.Errorf("run router: %w", err))
		}
	}
	errs = append(errs, b.closePubSub())
	b.log.Info("bus stopped")
	return errors.Join(errs...)
}

// closePubSub closes the publisher, and the subscriber if it is another
// value (the memory driver's GoChannel is both).
func (b *Bus) closePubSub() error {
	var errs []error
	if err := b.pub.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close publisher: %w", err))
	}
	if b.cfg.PubSub != nil {
		if err := b.sub.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close subscriber: %w", err))
		}
	}
	return errors.Join(errs...)
}
