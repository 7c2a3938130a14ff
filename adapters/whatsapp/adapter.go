package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Receiver stores what the channel brings in; core.Hub implements it.
// Receive returns only once the event is durably committed, so the provider
// may then be acknowledged, and must be safe for concurrent use.
type Receiver interface {
	Receive(ctx context.Context, in core.Inbound) (core.Receipt, error)
}

// Authenticator resolves an operator's session token (the inbox's
// switchboard_session cookie, or a Bearer token); core.Hub implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (core.Operator, error)
}

// Deps are what an Adapter needs from the rest of the hub.
type Deps struct {
	Receiver Receiver       // required
	Blobs    core.BlobStore // required: inbound media, outbound uploads
	// State is the channel's durable state: consent records, the linked
	// device, the parts of a reply already sent. Required.
	State core.ChannelState
	// Logger receives failures and skipped events; nil discards.
	Logger *slog.Logger
	// Now is the clock of the reply window and of health; nil means
	// time.Now.
	Now func() time.Time
	// Auth checks the operators of the status and pairing routes; nil
	// refuses every request to them.
	Auth Authenticator
	// HTTPClient makes the Graph API calls and media transfers (cloud);
	// nil means a fresh http.Client.
	HTTPClient *http.Client
	// SessionDSN returns the database/sql DSN, for the "sqlite" driver, of
	// the database the whatsmeow device session is kept in: the hub's own
	// SQLite file, in tables of whatsmeow's own. Run calls it once
	// (whatsmeow); it is required by that driver.
	SessionDSN func() (string, error)
}

// driver is one way of reaching WhatsApp. The Adapter checks what is
// common to both (capabilities, recipients) before calling it.
type driver interface {
	send(ctx context.Context, out core.Outbound) (core.SendReceipt, error)
	checkSend(ctx context.Context, c core.SendCheck) error
	run(ctx context.Context) error
	revoke(ctx context.Context, m core.Message, to core.ContactRef) error
	markRead(ctx context.Context, to core.ContactRef, ids []string) error
	health() Health
	// webhook is the provider's callback endpoint, or nil.
	webhook() http.Handler
	// pairing serves GET <path>/pair and POST <path>/pair/phone, or is nil
	// when there is nothing to pair.
	pairing() (qr, phone http.Handler)
}

// Adapter is one WhatsApp channel instance: a core.Channel that sends
// operator replies through its driver, takes the contact's messages from
// it, and reports the connection's Health. It is safe for concurrent use.
type Adapter struct {
	name  string
	cfg   Config
	caps  core.Capabilities
	recv  Receiver
	blobs core.BlobStore
	state core.ChannelState
	auth  Authenticator
	log   *slog.Logger
	now   func() time.Time
	drv   driver
}

// New builds the WhatsApp channel instance name from its configuration. The
// whatsmeow driver's session is opened by Run, not here.
func New(name string, cfg Config, deps Deps) (*Adapter, error) {
	return build(name, cfg, deps, nil)
}

// build is New with, for tests, the driver made by newDriver instead of
// the one cfg names.
func build(name string, cfg Config, deps Deps, newDriver func(*Adapter) (driver, error)) (*Adapter, error) {
	if name == "" {
		return nil, errors.New("whatsapp channel: name is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("whatsapp channel %s: %w", name, err)
	}
	cfg.setDefaults()
	if deps.Receiver == nil || deps.Blobs == nil || deps.State == nil {
		return nil, fmt.Errorf("whatsapp channel %s: Deps.Receiver, Deps.Blobs and Deps.State are required", name)
	}
	a := &Adapter{
		name: name, cfg: cfg, caps: cfg.capabilities(),
		recv: deps.Receiver, blobs: deps.Blobs, state: deps.State, auth: deps.Auth,
		log: deps.Logger, now: deps.Now,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("channel", name, "type", Type, "driver", cfg.Driver)
	if a.now == nil {
		a.now = time.Now
	}
	if newDriver == nil {
		newDriver = func(a *Adapter) (driver, error) {
			if cfg.Driver == DriverCloud {
				return newCloud(a, deps.HTTPClient), nil
			}
			return newWhatsmeow(a, deps.SessionDSN)
		}
	}
	drv, err := newDriver(a)
	if err != nil {
		return nil, fmt.Errorf("whatsapp channel %s: %w", name, err)
	}
	a.drv = drv
	return a, nil
}

// Name is the channel instance name.
func (a *Adapter) Name() string { return a.name }

// Capabilities returns the channel's capabilities after YAML narrowing.
func (a *Adapter) Capabilities() core.Capabilities { return a.caps }

// Health reports the connection to WhatsApp: for the whatsmeow driver
// pairing, connected, disconnected (reconnecting with backoff), logged out
// or outdated client; the cloud driver, which keeps no connection, is
// always connected.
func (a *Adapter) Health() Health { return a.drv.health() }

// Run keeps the channel's connection until ctx is cancelled: the whatsmeow
// session, its pairing and its reconnects. The cloud driver has nothing to
// run and waits for ctx.
func (a *Adapter) Run(ctx context.Context) error { return a.drv.run(ctx) }

// Handler returns the provider's webhook endpoint, mounted at the channel's
// path: Meta's GET handshake and signed event POSTs (cloud). It is nil for
// the whatsmeow driver, which WhatsApp never calls.
func (a *Adapter) Handler() http.Handler { return a.drv.webhook() }

// Send delivers an operator reply. Errors follow core.Channel: refusals
// wrapped with core.Permanent carry the reason; anything else is retried.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if err := ctx.Err(); err != nil {
		return core.SendReceipt{}, err
	}
	if out.To.ID == "" {
		return core.SendReceipt{}, core.Permanent(errors.New("the contact has no WhatsApp number on this channel"))
	}
	for _, att := range out.Attachments {
		if err := a.checkAttachment(att); err != nil {
			return core.SendReceipt{}, core.Permanent(err)
		}
	}
	return a.drv.send(ctx, out)
}

// CheckSend refuses, before anything is queued, what WhatsApp would refuse:
// an image, audio clip or video over 16 MB, and for the cloud driver free
// text outside the 24-hour customer service window, an unknown template,
// or a template to a contact without a recorded opt-in. The error is a
// *core.CapabilityError whose reason is shown to the operator.
func (a *Adapter) CheckSend(ctx context.Context, c core.SendCheck) error {
	for _, att := range c.Attachments {
		if err := checkMediaSize(a.name, a.caps, att); err != nil {
			return err
		}
	}
	if c.Now.IsZero() {
		c.Now = a.now()
	}
	return a.drv.checkSend(ctx, c)
}

// Delete revokes a sent operator message for the contact. Only the
// whatsmeow driver can, when allow_delete is set and within WhatsApp's 48
// hours; otherwise it refuses with a *core.CapabilityError.
func (a *Adapter) Delete(ctx context.Context, m core.Message, to core.ContactRef) error {
	if err := a.caps.CheckDelete(a.name, m.SentAt, a.now()); err != nil {
		return err
	}
	if m.ProviderMessageID == "" {
		return core.Invalidf("message %s has no WhatsApp id to delete", m.ID)
	}
	return a.drv.revoke(ctx, m, to)
}

// MarkRead tells WhatsApp that the contact's messages ids (provider ids)
// were read, so the contact sees blue ticks; the inbox calls it when an
// operator opens the conversation.
func (a *Adapter) MarkRead(ctx context.Context, to core.ContactRef, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if to.ID == "" {
		return core.Invalidf("the contact has no WhatsApp number on this channel")
	}
	return a.drv.markRead(ctx, to, ids)
}

func (a *Adapter) checkAttachment(att core.Attachment) error {
	if err := a.caps.CheckAttachment(a.name, att); err != nil {
		return err
	}
	return checkMediaSize(a.name, a.caps, att)
}

var (
	_ core.Channel     = (*Adapter)(nil)
	_ core.Runner      = (*Adapter)(nil)
	_ core.SendChecker = (*Adapter)(nil)
	_ core.Deleter     = (*Adapter)(nil)
)
