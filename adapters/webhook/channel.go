package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Type is the channel type in the YAML file.
const Type = "webhook"

// Defaults of Config.
const (
	DefaultMaxBodyBytes int64 = 25 << 20
	DefaultTimeout            = 30 * time.Second
)

const userAgent = "Switchboard-Webhook/1"

// Config is one custom channel's section of the YAML file.
type Config struct {
	// Secret ("whsec_<base64>") signs replies sent to URL and verifies the
	// messages the external system posts in.
	Secret string `mapstructure:"secret"`
	// URL receives operator replies and deletions. Without it the channel
	// is inbound only and every reply fails permanently.
	URL string `mapstructure:"url"`
	// MaxBodyBytes bounds an inbound request body, inline base64
	// attachments included; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// AttachmentHosts restricts the hosts inbound attachment URLs (and
	// their redirects) may point at; "*.example.com" admits subdomains.
	// Empty admits any host.
	AttachmentHosts []string `mapstructure:"attachment_hosts"`
	// Timeout bounds each outbound POST and each attachment download;
	// 0 means DefaultTimeout.
	Timeout time.Duration `mapstructure:"timeout"`
	// Capabilities narrows DefaultCapabilities.
	Capabilities core.CapabilityOverride `mapstructure:"capabilities"`
}

func (c *Config) setDefaults() {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
}

// Validate reports the first problem of c, naming its YAML key.
func (c Config) Validate() error {
	if c.Secret == "" {
		return errors.New("secret is required")
	}
	if _, err := ParseSecret(c.Secret); err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	if c.URL != "" {
		if err := checkHTTPURL(c.URL); err != nil {
			return fmt.Errorf("url: %w", err)
		}
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("max_body_bytes: %d is negative", c.MaxBodyBytes)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout: %s is negative", c.Timeout)
	}
	for i, h := range c.AttachmentHosts {
		if h == "" || strings.ContainsAny(h, "/ ") {
			return fmt.Errorf("attachment_hosts[%d]: %q is not a host name", i, h)
		}
	}
	if _, err := DefaultCapabilities("").Narrow(c.Capabilities); err != nil {
		return err
	}
	return nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", u.Redacted())
	}
	return nil
}

// Receiver stores normalised inbound messages; core.Hub implements it.
// Receive returns only once in is durably stored, and reports Duplicate for
// a provider message id stored before. It must be safe for concurrent use.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Deps are what a Channel needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound attachments, outbound bytes
	// Logger receives request failures; nil discards.
	Logger *slog.Logger
	// HTTPClient posts replies and fetches attachments; nil means a client
	// with Config.Timeout. Redirects of replies are never followed.
	HTTPClient *http.Client
	// Now is the clock for signing and for the replay window; nil means
	// time.Now.
	Now func() time.Time
	// PublicURL is how the external system reaches the hub; it only serves
	// to log the channel's inbound endpoint.
	PublicURL string
}

// Channel is one custom channel instance: an http.Handler for the messages
// the external system posts in, and a core.Channel that posts operator
// replies out. It is safe for concurrent use.
type Channel struct {
	name    string
	cfg     Config
	key     []byte
	caps    core.Capabilities
	recv    Receiver
	blobs   core.BlobStore
	log     *slog.Logger
	poster  *http.Client // replies: no redirects
	fetcher *http.Client // attachments: redirects checked
	now     func() time.Time
	verify  Verifier
}

// New builds the channel instance name from its configuration.
func New(name string, cfg Config, deps Deps) (*Channel, error) {
	cfg.setDefaults()
	if name == "" {
		return nil, errors.New("webhook channel: name is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook channel %s: %w", name, err)
	}
	if deps.Receiver == nil || deps.Blobs == nil {
		return nil, fmt.Errorf("webhook channel %s: Deps.Receiver and Deps.Blobs are required", name)
	}
	key, _ := ParseSecret(cfg.Secret) // checked by Validate
	caps, _ := DefaultCapabilities(name).Narrow(cfg.Capabilities)
	c := &Channel{
		name: name, cfg: cfg, key: key, caps: caps,
		recv: deps.Receiver, blobs: deps.Blobs,
		log: deps.Logger, now: deps.Now,
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.log = c.log.With("channel", name, "type", Type)
	if c.now == nil {
		c.now = time.Now
	}
	c.verify = Verifier{Key: key, Now: c.now}
	base := deps.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	c.poster = noRedirects(base)
	c.fetcher = c.fetchClient(base)
	c.fetcher.Timeout = cfg.Timeout
	if deps.PublicURL != "" {
		c.log.Info("accepting messages", "url", strings.TrimSuffix(deps.PublicURL, "/")+"/api/v1/channels/"+name+"/messages")
	}
	return c, nil
}

// DefaultCapabilities is what a custom channel can carry before YAML
// narrowing: anything up to the global upload limit, since the external
// system decides what it does with the files.
func DefaultCapabilities(name string) core.Capabilities {
	return core.Capabilities{
		Label:             "channel " + name,
		DeleteSent:        true,
		Attachments:       []string{"*/*"},
		AttachmentsLabel:  "any file",
		MaxAttachmentSize: core.MaxUpload,
		Voice:             true,
		Verification:      "external",
		Proactive:         "always",
		Live:              false,
	}
}

// Name is the channel instance name.
func (c *Channel) Name() string { return c.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (c *Channel) Capabilities() core.Capabilities { return c.caps }

// Handler returns the http.Handler for the messages the external system
// posts to this channel. The composition root mounts it at
// POST /api/v1/channels/{name}/messages.
func (c *Channel) Handler() http.Handler { return http.HandlerFunc(c.serveInbound) }

// noRedirects copies base so that a redirect answer is returned as is: a
// signed POST must reach the configured URL, not wherever it points.
func noRedirects(base *http.Client) *http.Client {
	pc := *base
	pc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &pc
}

var _ core.Channel = (*Channel)(nil)
