package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Receiver stores what the webhook brings; core.Hub implements it. Both
// methods return only once the change is durably committed, so the webhook
// may then be acknowledged, and must be safe for concurrent use.
type Receiver interface {
	// Receive stores a message, postback, reaction, edit or per-message
	// receipt, and reports Duplicate for a provider id stored before.
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
	// ReceiveWatermark applies a read or delivery receipt that covers every
	// page message up to a time.
	ReceiveWatermark(ctx context.Context, w core.Watermark) (int, error)
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound media, outbound uploads
	// State is the channel's durable state: which parts of a reply sent in
	// several Send API calls have gone, so a retry does not repeat them.
	State core.ChannelState // required
	// Logger receives request failures and skipped events; nil discards.
	Logger *slog.Logger
	// HTTPClient makes the Graph API calls and, unless Media is set, the
	// media downloads; nil means a fresh http.Client. Config.Timeout bounds
	// each call.
	HTTPClient *http.Client
	// Media downloads inbound attachments; nil means an HTTP fetcher that
	// only fetches from Config.MediaHosts.
	Media MediaFetcher
	// Now is the clock of the reply window; nil means time.Now.
	Now func() time.Time
}

// Adapter is one Messenger channel instance (one Facebook Page): an
// http.Handler for Meta's webhook and a core.Channel that sends operator
// replies through the Send API. It is safe for concurrent use.
type Adapter struct {
	name  string
	cfg   Config
	caps  core.Capabilities
	recv  Receiver
	blobs core.BlobStore
	state core.ChannelState
	media MediaFetcher
	graph *graphClient
	hook  http.Handler
	log   *slog.Logger
	now   func() time.Time
}

// New builds the Messenger channel instance name from its configuration.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	if name == "" {
		return nil, errors.New("messenger channel: name is required")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("messenger channel %s: %w", name, err)
	}
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil {
		return nil, fmt.Errorf("messenger channel %s: Deps.Receiver, Deps.Blobs and Deps.State are required", name)
	}
	caps, _ := DefaultCapabilities().Narrow(cfg.Capabilities) // checked by Validate
	a := &Adapter{
		name: name, cfg: cfg, caps: caps,
		recv: deps.Receiver, blobs: deps.Blobs, state: deps.State,
		media: deps.Media, log: deps.Logger, now: deps.Now,
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a.log = a.log.With("channel", name, "type", Type)
	if a.now == nil {
		a.now = time.Now
	}
	client := deps.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	a.graph = newGraphClient(client, cfg)
	a.hook = a.newWebhook()
	if a.media == nil {
		a.media = newHTTPFetcher(client, cfg.MediaHosts, cfg.Timeout)
	}
	return a, nil
}

// Name is the channel instance name.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// Handler returns the http.Handler of Meta's webhook: the GET verification
// handshake and the signed event POSTs. The composition root mounts it at
// the channel's path.
func (a *Adapter) Handler() http.Handler { return a.hook }

var (
	_ core.Channel     = (*Adapter)(nil)
	_ core.SendChecker = (*Adapter)(nil)
)
