package webchat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Receiver stores normalised inbound events; core.Hub implements it.
// Receive returns only once in is durably stored.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Hub is what the web chat asks of the running hub; *core.Hub implements
// it.
type Hub interface {
	// Store reads the visitor's conversations for history and resume.
	Store() core.Reader
	// OperatorStatuses tells whether someone is online to answer.
	OperatorStatuses(ctx context.Context) ([]core.OperatorStatus, error)
	// UpdateContactDetails records pages, browser, device, a left or
	// verified address.
	UpdateContactDetails(ctx context.Context, contactID string, d core.ContactDetails) (core.Contact, error)
	// LinkIdentity continues a contact of another channel here ($webtransfer).
	LinkIdentity(ctx context.Context, contactID string, id core.Identity) (core.Contact, error)
	// ContactPresenceChanged keeps the LIVE label in step with the visitor.
	ContactPresenceChanged(ctx context.Context, channel, externalID string, online bool) error
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver          // required
	Blobs    core.BlobStore    // required: uploads and attachments
	State    core.ChannelState // required: pending ratings, verification codes
	// Hub returns the running hub; it is called only once the hub runs (in
	// handlers and Send), never by New.
	Hub func() Hub
	// Logger receives connection and delivery failures; nil discards.
	Logger *slog.Logger
	// PublicURL is how contacts reach the hub; $webtransfer links need it.
	PublicURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Adapter is one web chat widget: the sockets of its visitors, their
// uploads, and the core.Channel that delivers operator messages to them. It
// is safe for concurrent use.
type Adapter struct {
	name   string
	cfg    Config
	caps   core.Capabilities
	keys   keys
	prefix string // "/webchat/<name>"
	public string
	origin []originPattern

	recv  Receiver
	blobs core.BlobStore
	state core.ChannelState
	hub   func() Hub
	log   *slog.Logger
	now   func() time.Time

	reg *registry
	// sent and deleted remember, for a while, messages pushed to live
	// sockets before the hub recorded them, so a socket connecting in
	// between still finds them in its history.
	sent    *recentSet
	deleted *recentSet

	online    atomic.Int32 // operatorsOnline: 0 unknown, 1 no, 2 yes
	checkedAt atomic.Int64 // unix ns of the last presence check
	presMu    sync.Mutex   // one presence check at a time
	names     sync.Map     // operator id -> display name
	verifyMu  sync.Mutex   // read-modify-write of verification state

	ctx    context.Context // ends with Close or the end of Run
	cancel context.CancelFunc
	work   chan struct{} // bounds background receipt deliveries
}

// New builds the widget name from its configuration.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	cfg.setDefaults()
	if name == "" {
		return nil, errors.New("webchat channel: name is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webchat channel %s: %w", name, err)
	}
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil || deps.Hub == nil {
		return nil, fmt.Errorf("webchat channel %s: Deps.Receiver, Blobs, State and Hub are required", name)
	}
	caps, _ := DefaultCapabilities().Narrow(cfg.Capabilities) // checked by Validate
	a := &Adapter{
		name: name, cfg: cfg, caps: caps, keys: deriveKeys(cfg.Secret),
		prefix: "/webchat/" + name, public: strings.TrimSuffix(deps.PublicURL, "/"),
		recv: deps.Receiver, blobs: deps.Blobs, state: deps.State, hub: deps.Hub,
		log: deps.Logger, now: deps.Now,
		reg: newRegistry(), sent: newRecentSet(2 * time.Minute), deleted: newRecentSet(2 * time.Minute),
		work: make(chan struct{}, 64),
	}
	for _, o := range cfg.AllowedOrigins {
		p, _ := parseOriginPattern(o) // checked by Validate
		a.origin = append(a.origin, p)
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a.log = a.log.With("channel", name, "type", Type)
	if a.now == nil {
		a.now = time.Now
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

// Name is the channel instance name, the widget's data-widget value.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// Connections returns the number of open visitor sockets.
func (a *Adapter) Connections() int { return a.reg.count() }

// Routes returns the widget's own endpoints, for the composition root to
// mount: the socket, uploads, attachment links, settings and the page a
// $webtransfer link opens.
func (a *Adapter) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + a.prefix + "/ws":              http.HandlerFunc(a.serveSocket),
		"GET " + a.prefix + "/config":          http.HandlerFunc(a.serveConfig),
		"POST " + a.prefix + "/upload":         http.HandlerFunc(a.serveUpload),
		"OPTIONS " + a.prefix + "/upload":      http.HandlerFunc(a.servePreflight),
		"GET " + a.prefix + "/files/{ref}":     http.HandlerFunc(a.serveFile),
		"GET " + a.prefix + "/continue":        http.HandlerFunc(a.serveContinue),
		"OPTIONS " + a.prefix + "/config":      http.HandlerFunc(a.servePreflight),
		"OPTIONS " + a.prefix + "/files/{ref}": http.HandlerFunc(a.servePreflight),
	}
}

// Run watches operator presence and tells visitors when it changes, until
// ctx ends; then it closes every visitor socket so widgets reconnect to
// whichever instance serves next.
func (a *Adapter) Run(ctx context.Context) error {
	t := time.NewTicker(a.cfg.PresenceTick)
	defer t.Stop()
	defer a.Close()
	for {
		if a.reg.count() > 0 {
			a.checkPresence(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-a.ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Close ends background work and closes every visitor socket.
func (a *Adapter) Close() error {
	a.cancel()
	a.reg.closeAll("the server is restarting")
	return nil
}

var (
	_ core.Channel        = (*Adapter)(nil)
	_ core.Runner         = (*Adapter)(nil)
	_ core.Deleter        = (*Adapter)(nil)
	_ core.SendChecker    = (*Adapter)(nil)
	_ core.TypingNotifier = (*Adapter)(nil)
	_ core.Rater          = (*Adapter)(nil)
	_ core.Verifier       = (*Adapter)(nil)
	_ core.Transferer     = (*Adapter)(nil)
)
