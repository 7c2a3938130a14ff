package telegram

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Receiver stores normalised inbound events; core.Hub implements it.
// Receive returns only once in is durably stored, reports Duplicate for a
// provider id stored before, and must be safe for concurrent use.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound media, outbound files
	// State keeps the polling offset and the progress of multi-part
	// sends. Required.
	State core.ChannelState
	// Logger receives what the adapter skips and what fails; nil discards.
	Logger *slog.Logger
	// HTTPClient calls the Bot API; nil means a new http.Client. Request
	// timeouts come from Config.
	HTTPClient *http.Client
}

// Adapter is one Telegram bot: a core.Channel and core.Deleter for operator
// replies, a core.Runner that polls getUpdates or registers the webhook,
// and the webhook's http.Handler. It is safe for concurrent use.
type Adapter struct {
	name   string
	cfg    Config
	caps   core.Capabilities
	recv   Receiver
	blobs  core.BlobStore
	state  core.ChannelState
	log    *slog.Logger
	api    *api
	limits *limits
	// secret is the SHA-256 of the webhook secret token: comparing digests
	// takes the same time whatever the length of the token presented.
	secret [sha256.Size]byte
}

// New builds the bot channel instance name from its configuration. It does
// not contact Telegram: Run does, so a bot that cannot be reached at start
// does not keep the hub from starting.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	cfg.setDefaults()
	if name == "" {
		return nil, errors.New("telegram channel: name is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("telegram channel %s: %w", name, err)
	}
	if cfg.Mode == ModeWebhook && cfg.WebhookURL == "" {
		return nil, fmt.Errorf("telegram channel %s: webhook mode needs webhook_url, or public_url for the hub", name)
	}
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil {
		return nil, fmt.Errorf("telegram channel %s: Deps.Receiver, Deps.Blobs and Deps.State are required", name)
	}
	caps, _ := DefaultCapabilities().Narrow(cfg.Capabilities) // checked by Validate
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	client := deps.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &Adapter{
		name: name, cfg: cfg, caps: caps,
		recv: deps.Receiver, blobs: deps.Blobs, state: deps.State,
		log:    log.With("channel", name, "type", Type),
		api:    newAPI(cfg, client),
		limits: newLimits(),
		secret: sha256.Sum256([]byte(cfg.SecretToken)),
	}, nil
}

// Name is the channel instance name.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the bot's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// Handler returns the webhook endpoint, which the composition root mounts
// at the channel's path. In polling mode it refuses every request.
func (a *Adapter) Handler() http.Handler { return http.HandlerFunc(a.serveWebhook) }

// Run checks the token (getMe), then receives updates until ctx is
// cancelled: in polling mode by long polling getUpdates, in webhook mode by
// registering the webhook with setWebhook and waiting. A token Telegram
// refuses, or a webhook it refuses, ends Run with an error; network
// failures are retried with backoff.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.hello(ctx); err != nil {
		return err
	}
	if a.cfg.Mode == ModeWebhook {
		if err := a.setWebhook(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
	return a.poll(ctx)
}

// hello calls getMe until Telegram answers, and logs who the bot is.
func (a *Adapter) hello(ctx context.Context) error {
	b := newBackoff()
	for {
		raw, err := a.api.request(ctx, "getMe", nil)
		if err == nil {
			a.log.Info("telegram bot ready", "bot", botName(raw), "mode", a.cfg.Mode)
			return nil
		}
		if refused(err) {
			return fmt.Errorf("telegram channel %s: %w", a.name, err)
		}
		a.log.Warn("telegram getMe failed; retrying", "err", err, "in", b.next())
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
}

// refused reports a Bot API answer that repeating cannot change.
func refused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Refused()
}

// backoff spaces out retries after temporary failures: 1s, doubling, at
// most a minute.
type backoff struct{ d time.Duration }

func newBackoff() *backoff { return &backoff{} }

func (b *backoff) next() time.Duration {
	switch {
	case b.d == 0:
		return time.Second
	case b.d >= 30*time.Second:
		return time.Minute
	}
	return 2 * b.d
}

func (b *backoff) wait(ctx context.Context) error {
	b.d = b.next()
	return sleepCtx(ctx, b.d)
}

func (b *backoff) reset() { b.d = 0 }

var (
	_ core.Channel = (*Adapter)(nil)
	_ core.Runner  = (*Adapter)(nil)
	_ core.Deleter = (*Adapter)(nil)
)
