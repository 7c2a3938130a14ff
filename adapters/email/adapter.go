package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Receiver stores normalised inbound messages; core.Hub implements it.
// Receive returns only once in is durably stored, and reports Duplicate for
// a provider message id stored before. It must be safe for concurrent use.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Store is what the channel reads of the hub's data: the messages it
// received and sent, to thread replies, and a sender's conversations, to
// keep automatic mail out of a customer's thread. core.Reader implements it.
type Store interface {
	MessageByProviderID(ctx context.Context, channel, providerID string) (core.Message, error)
	// Messages returns a conversation's transcript in order.
	Messages(ctx context.Context, conversationID string) ([]core.Message, error)
	ContactByIdentity(ctx context.Context, channel, externalID string) (core.Contact, error)
	// ContactConversations lists a contact's conversations, newest first.
	ContactConversations(ctx context.Context, contactID string) ([]core.Conversation, error)
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound attachments, outbound files
	// State keeps mailbox checkpoints, reply tokens and subjects. Required.
	State core.ChannelState
	// Store returns the hub's data once the hub exists (nil before); a nil
	// Store means no threading by Message-ID.
	Store func() Store
	// Logger receives connection and mail failures; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TLSConfig is the base TLS configuration for the IMAP and SMTP
	// servers (RootCAs for a private CA); nil means the system's. Its
	// ServerName is set per server.
	TLSConfig *tls.Config
	// Observe, when set, is told what became of every inbound mail.
	Observe func(Outcome)
}

// Adapter is one email channel instance: a core.Channel sending operator
// replies over SMTP, a core.Runner fetching customer mail over IMAP (and
// accepting it over SMTP when configured), and the hub's core.Mailer. It is
// safe for concurrent use.
type Adapter struct {
	name    string
	cfg     Config
	caps    core.Capabilities
	from    *mail.Address
	recv    Receiver
	blobs   core.BlobStore
	state   core.ChannelState
	storeFn func() Store
	log     *slog.Logger
	now     func() time.Time
	tls     *tls.Config
	observe func(Outcome)

	health healthState
	convs  convCache
	smtpLn smtpListener
}

// New builds the channel instance name from its configuration.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	cfg.setDefaults()
	if name == "" {
		return nil, errors.New("email channel: name is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("email channel %s: %w", name, err)
	}
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil {
		return nil, fmt.Errorf("email channel %s: Deps.Receiver, Deps.Blobs and Deps.State are required", name)
	}
	caps, _ := DefaultCapabilities().Narrow(cfg.Capabilities) // checked by Validate
	from, _ := mail.ParseAddress(cfg.SMTP.From)               // checked by Validate
	a := &Adapter{
		name: name, cfg: cfg, caps: caps, from: from,
		recv: deps.Receiver, blobs: deps.Blobs, state: deps.State, storeFn: deps.Store,
		log: deps.Logger, now: deps.Now, tls: deps.TLSConfig, observe: deps.Observe,
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a.log = a.log.With("channel", name, "type", Type)
	if a.now == nil {
		a.now = time.Now
	}
	if a.observe == nil {
		a.observe = func(Outcome) {}
	}
	a.health.set(HealthStarting, "", a.now())
	return a, nil
}

// Name is the channel instance name.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// store returns the hub's data, or nil while there is none.
func (a *Adapter) store() Store {
	if a.storeFn == nil {
		return nil
	}
	return a.storeFn()
}

// tlsConfig returns the TLS configuration for a server named host.
func (a *Adapter) tlsConfig(host string) *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.tls != nil {
		c = a.tls.Clone()
	}
	c.ServerName = host
	return c
}

// Health states.
const (
	HealthStarting = "starting" // not yet connected
	HealthOK       = "ok"       // connected and caught up
	HealthDegraded = "degraded" // connection lost or refused; retrying
	HealthStopped  = "stopped"  // Run returned
)

// Health is the state of the channel's inbound connection.
type Health struct {
	Status string
	// Reason says why the channel is degraded.
	Reason string
	// Since is when Status last changed.
	Since time.Time
	// LastSync is when the mailbox was last fully fetched.
	LastSync time.Time
}

// Health reports whether mail is being fetched: degraded while the IMAP
// server cannot be reached or refuses the channel, with the reason.
func (a *Adapter) Health() Health { return a.health.get() }

type healthState struct {
	mu sync.Mutex
	h  Health
}

func (s *healthState) set(status, reason string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h.Status != status {
		s.h.Since = now
	}
	s.h.Status, s.h.Reason = status, reason
}

func (s *healthState) synced(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h.Status != HealthOK {
		s.h.Since = now
	}
	s.h.Status, s.h.Reason, s.h.LastSync = HealthOK, "", now
}

func (s *healthState) get() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

var (
	_ core.Channel = (*Adapter)(nil)
	_ core.Runner  = (*Adapter)(nil)
	_ core.Mailer  = (*Adapter)(nil)
)
