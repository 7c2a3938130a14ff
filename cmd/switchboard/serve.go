package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/config"
	"github.com/switchboard-hq/switchboard/core"
)

// serveCmd runs the hub until ctx is cancelled.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env []string) error {
	fs, path := flags("serve")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected %q", errUsage, fs.Arg(0))
	}
	cfg, err := config.Load(*path, env)
	if err != nil {
		return err
	}
	secrets, err := ensureDefaultSecrets(cfg)
	if err != nil {
		return err
	}
	if ps := cfg.Validate(decoders()); len(ps) > 0 {
		return fmt.Errorf("config: %w", ps)
	}
	log := newLogger(cfg.Log, stderr)
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	for _, g := range secrets {
		if g.fresh && g.channel == "webhook" {
			fmt.Fprintf(stdout, "Generated the secret of the webhook channel (kept in %s):\n  %s\n", g.file, g.secret)
		}
	}
	if cfg.Embedded() {
		fmt.Fprintf(stdout, "Inbox: http://%s/   Demo web chat: http://%s/demo\n", cfg.Listen, cfg.Listen)
	}
	if op, password, err := a.hub.EnsureAdmin(ctx, "admin@switchboard.local"); err != nil {
		a.close()
		return err
	} else if password != "" {
		fmt.Fprintf(stdout, "Created the first admin; this password is shown once:\n  email:    %s\n  password: %s\n", op.Email, password)
	}
	return a.run(ctx)
}

// app is the wired hub: store, core, bus, channels and HTTP server.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	st       storage
	hub      *core.Hub
	bus      *bus.Bus
	server   *http.Server
	listener net.Listener
	runners  []core.Runner
}

// newApp builds every component; a component that fails to start closes the
// ones before it.
func newApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (a *app, err error) {
	a = &app{cfg: cfg, log: log}
	if a.st, err = openStorage(ctx, cfg, log); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.close()
		}
	}()

	recv := &lateReceiver{}
	types := channelTypes()
	var infos []core.ChannelInfo
	built := map[string]builtChannel{}
	for _, ch := range cfg.Channels {
		t, ok := types[ch.Type]
		if !ok {
			return nil, fmt.Errorf("channel %s: type %q is not available in this build", ch.Name, ch.Type)
		}
		b, err := t.build(ch, channelDeps{
			Receiver: recv, Blobs: a.st.blobs, State: core.StoreState(a.st.store, ch.Name),
			Logger: log.With("channel", ch.Name), PublicURL: cfg.PublicURL, Database: a.st.path,
			Hub: func() *core.Hub { return recv.hub },
		})
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", ch.Name, err)
		}
		built[ch.Name] = b
		infos = append(infos, core.ChannelInfo{Name: ch.Name, Type: ch.Type, Group: ch.Group, Adapter: b.adapter})
		if r, ok := b.adapter.(core.Runner); ok {
			a.runners = append(a.runners, r)
		}
	}
	var mailer core.Mailer
	for _, ch := range cfg.Channels {
		if m, ok := built[ch.Name].adapter.(core.Mailer); ok && mailer == nil {
			mailer = m // the first email channel sends the hub's own mail
		}
	}
	eventTopics := []string{core.TopicEvents}
	if len(cfg.Events) > 0 {
		eventTopics = append(eventTopics, topicEventWebhooks)
	}
	a.hub, err = core.NewHub(core.HubConfig{
		Store: a.st.store, Blobs: a.st.blobs, Channels: infos, Logger: log.With("component", "hub"), Mailer: mailer,
		EventTopics:      eventTopics,
		AutoResolveAfter: autoResolve(cfg.Conversations.AutoResolveAfter),
		LiveTimeout:      cfg.Conversations.LiveTimeout, DefaultSlots: cfg.Conversations.DefaultSlots,
	})
	if err != nil {
		return nil, err
	}
	recv.hub = a.hub

	ui, err := inbox.New(inbox.Config{PublicURL: cfg.PublicURL}, a.hub, log.With("component", "inbox"))
	if err != nil {
		return nil, err
	}
	if a.bus, err = a.newBus(ui); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", ui.Handler())
	claimed := map[string]string{}
	for _, ch := range cfg.Channels {
		b := built[ch.Name]
		if b.api != nil {
			mux.Handle("POST /api/v1/channels/"+ch.Name+"/messages", b.api)
		}
		if b.webhook != nil {
			mux.Handle(ch.Path, b.webhook)
		}
		for pattern, h := range b.routes {
			if owner, taken := claimed[pattern]; taken {
				return nil, fmt.Errorf("channel %s: %s is already served by channel %s", ch.Name, pattern, owner)
			}
			claimed[pattern] = ch.Name
			mux.Handle(pattern, h)
		}
	}
	web := inbox.UI() // the operator inbox: the page at "/", its files under /app/
	mux.Handle("GET /{$}", web)
	mux.Handle("GET "+inbox.UIAssets, web)
	mux.Handle("GET /healthz", a.health())
	a.server = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Live feed connections never go idle: end them when shutdown starts.
	a.server.RegisterOnShutdown(func() { _ = ui.Close() })
	if a.listener, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return a, nil
}

func autoResolve(d time.Duration) time.Duration {
	if d == 0 {
		return -1 // config: 0 disables; core: negative disables
	}
	return d
}

// topicEventWebhooks carries events to external webhooks: a topic of its own,
// so a failing subscriber's retries never delay the inbox feed.
const topicEventWebhooks = "events_webhooks"

// newBus wires the bus handlers: deliveries per channel, the inbox feed,
// event webhooks, and the inbound topic.
func (a *app) newBus(ui *inbox.Server) (*bus.Bus, error) {
	b, err := bus.New(bus.Config{
		Outbox: a.st.store,
		Poison: bus.PoisonFunc(a.hub.Poison),
	}, a.log.With("component", "bus"))
	if err != nil {
		return nil, err
	}
	for _, ch := range a.hub.Channels() {
		b.Handle("deliver_"+ch.Name, core.OutboundTopic(ch.Name), func(ctx context.Context, m bus.Message) error {
			return a.hub.Deliver(ctx, m.Payload)
		})
	}
	b.Handle("inbox_feed", core.TopicEvents, func(ctx context.Context, m bus.Message) error {
		return ui.PublishEvent(m.Payload)
	})
	if len(a.cfg.Events) > 0 {
		subs := make([]webhook.Subscription, 0, len(a.cfg.Events))
		for _, e := range a.cfg.Events {
			subs = append(subs, webhook.Subscription{URL: e.URL, Secret: e.Secret, Types: e.Types})
		}
		sender, err := webhook.NewEventSender(subs, webhook.EventDeps{Log: a.hub, Logger: a.log.With("component", "events")})
		if err != nil {
			return nil, err
		}
		b.Handle("event_webhooks", topicEventWebhooks, func(ctx context.Context, m bus.Message) error {
			return sender.Deliver(ctx, m.Payload, m.Attempt)
		})
	}
	b.Handle("receive", core.TopicInbound, func(ctx context.Context, m bus.Message) error {
		in, err := inboundJSON(m.Payload)
		if err != nil {
			return err
		}
		_, err = a.hub.Receive(ctx, in)
		return err
	})
	return b, nil
}

// run serves until ctx is cancelled, then stops taking requests, lets the
// bus finish what it is handling, and closes the store.
func (a *app) run(ctx context.Context) error {
	defer a.close()
	g, gctx := errgroup.WithContext(ctx)
	a.log.Info("switchboard listening", "addr", "http://"+a.listener.Addr().String(), "data_dir", a.cfg.DataDir)
	g.Go(func() error {
		if err := a.server.Serve(a.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return a.server.Shutdown(sctx)
	})
	g.Go(func() error { return a.bus.Run(gctx) })
	g.Go(func() error { return a.hub.Run(gctx, time.Minute) })
	for _, r := range a.runners {
		g.Go(func() error { return r.Run(gctx) })
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	a.log.Info("switchboard stopped")
	return err
}

func (a *app) close() {
	if a.listener != nil {
		a.listener.Close()
	}
	if a.st.store != nil {
		if err := a.st.store.Close(); err != nil {
			a.log.Warn("close store", "err", err)
		}
	}
}

// health answers 200 while the store answers reads, 503 otherwise; for load
// balancers and process supervisors.
func (a *app) health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := a.st.store.Operators(r.Context()); err != nil {
			a.log.Warn("health check", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"status":"unavailable"}`)
			return
		}
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
}

// lateReceiver lets channels be built before the hub that receives their
// messages; it is set before the server starts.
type lateReceiver struct{ hub *core.Hub }

func (r *lateReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return r.hub.Receive(ctx, in)
}
