package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

const userAgent = "Switchboard-SMS/1"

// Receiver stores normalised inbound events; core.Hub implements it.
// Receive returns only once in is durably stored and reports Duplicate for
// a provider message id stored before. It must be safe for concurrent use.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound media, outbound media URLs
	// State keeps the opt-outs; required, since no message may ever reach
	// an opted-out number.
	State core.ChannelState
	// Logger receives request failures; nil discards.
	Logger *slog.Logger
	// HTTPClient calls the provider and fetches media; nil means a new
	// client. Its redirect policy is replaced.
	HTTPClient *http.Client
	// Now is the clock of media URL expiry, opt-out records and the generic
	// driver's replay window; nil means time.Now.
	Now func() time.Time
	// PublicURL is how providers reach the hub; the channel's public_url
	// defaults to it followed by the channel's path.
	PublicURL string
}

// driver is one provider's side of the channel: authenticating and parsing
// its callbacks, and sending.
type driver interface {
	// message authenticates a request to <path>/inbound and parses it.
	// Errors are *authError or *parseError.
	message(r *http.Request, body []byte) (inboundSMS, error)
	// status does the same for <path>/status.
	status(r *http.Request, body []byte) (statusReport, error)
	// send submits one message and returns the provider's id for it,
	// with errors as core.Channel.Send describes.
	send(ctx context.Context, m outgoing) (string, error)
	// fetch prepares the request for an inbound medium (credentials, the
	// host it is really fetched from).
	fetch(ctx context.Context, u *url.URL) (*http.Request, error)
	// label names the provider in reasons shown to operators.
	label() string
	// describe explains one of the provider's error codes, or "".
	describe(code string) string
	// unsubscribed reports an error code meaning the recipient opted out
	// at the provider.
	unsubscribed(code string) bool
}

// Adapter is one SMS channel instance: the routes its provider calls and a
// core.Channel (with core.SendChecker) that sends operator replies. It is
// safe for concurrent use.
type Adapter struct {
	name    string
	cfg     Config
	caps    core.Capabilities
	recv    Receiver
	blobs   core.BlobStore
	optOuts optOuts
	log     *slog.Logger
	now     func() time.Time
	public  string // the channel's public URL, without trailing slash
	fetcher *http.Client
	media   mediaSigner
	gate    retryGate
	driver  driver
}

// New builds the channel instance name from its configuration.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	if name == "" {
		return nil, errors.New("sms channel: name is required")
	}
	cfg.setDefaults(name)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sms channel %s: %w", name, err)
	}
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil {
		return nil, fmt.Errorf("sms channel %s: Deps.Receiver, Deps.Blobs and Deps.State are required", name)
	}
	public := cfg.PublicURL
	if public == "" && deps.PublicURL != "" {
		public = trimSlash(deps.PublicURL) + cfg.Path
	}
	if public == "" {
		return nil, fmt.Errorf("sms channel %s: public_url is required (or the hub's public_url): providers sign and fetch the channel's URLs", name)
	}
	if err := checkBaseURL(public); err != nil {
		return nil, fmt.Errorf("sms channel %s: public_url: %w", name, err)
	}
	caps, _ := DefaultCapabilities().Narrow(cfg.Capabilities) // checked by Validate
	a := &Adapter{
		name: name, cfg: cfg, caps: caps, recv: deps.Receiver, blobs: deps.Blobs,
		optOuts: optOuts{state: deps.State}, log: deps.Logger, now: deps.Now, public: public,
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a.log = a.log.With("channel", name, "type", Type, "provider", cfg.Provider)
	if a.now == nil {
		a.now = time.Now
	}
	base := deps.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	a.fetcher = a.fetchClient(base)
	api := noRedirects(base)
	var secret []byte
	switch cfg.Provider {
	case ProviderTwilio:
		secret = []byte(cfg.AuthToken)
		a.driver = &twilioDriver{cfg: cfg, key: secret, client: api, signedURL: a.signedURL}
	case ProviderGeneric:
		secret, _ = parseSecret(cfg.Secret) // checked by Validate
		a.driver = &genericDriver{cfg: cfg, key: secret, client: api, now: a.now}
	}
	a.media = mediaSigner{key: deriveKey(secret, "switchboard sms media url v1 "+name), ttl: cfg.MediaURLTTL}
	a.log.Info("serving provider callbacks", "inbound", a.public+routeInbound, "status", a.public+routeStatus)
	return a, nil
}

// Routes of the channel, under its path.
const (
	routeInbound = "/inbound"
	routeStatus  = "/status"
	routeMedia   = "/media/"
)

// Routes returns the channel's HTTP endpoints keyed by http.ServeMux
// pattern: provider callbacks at <path>/inbound and <path>/status, and the
// signed media URLs at <path>/media/{token}.
func (a *Adapter) Routes() map[string]http.Handler {
	p := a.cfg.Path
	return map[string]http.Handler{
		"POST " + p + routeInbound:          http.HandlerFunc(a.serveInbound),
		"POST " + p + routeStatus:           http.HandlerFunc(a.serveStatus),
		"GET " + p + routeMedia + "{token}": http.HandlerFunc(a.serveMedia),
	}
}

// Name is the channel instance name.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// signedURL is the URL Twilio signed for a request to route: the public
// URL, the route and the request's query string.
func (a *Adapter) signedURL(route, rawQuery string) string {
	u := a.public + route
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// deriveKey makes a key for one purpose from the channel's secret, so a
// media URL never doubles as a provider signature.
func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// noRedirects copies base so that redirect answers are returned as they
// are: a message must reach the configured API, not wherever it points.
func noRedirects(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

var (
	_ core.Channel     = (*Adapter)(nil)
	_ core.SendChecker = (*Adapter)(nil)
)
