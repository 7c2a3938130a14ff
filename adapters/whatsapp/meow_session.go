//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/switchboard-hq/switchboard/core"
)

// sessions keeps the channel's linked device.
type sessions interface {
	// open returns a client for the channel's device and the linked
	// account (E.164), or "" when no account is linked yet.
	open(ctx context.Context) (client, string, error)
	// linked records that the channel's device is now jid.
	linked(ctx context.Context, jid types.JID) error
	// account returns the linked account as recorded, or "": how a
	// pairing made by another process is noticed.
	account(ctx context.Context) (string, error)
	close() error
}

// deviceKey names, in the channel state, the JID of the channel's device.
const deviceKey = "whatsmeow/device"

// sqlSessions keeps devices with whatsmeow's sqlstore in the hub's own
// database (tables whatsmeow_*), one device per channel: the channel state
// records which. A restart finds the device and reconnects without
// pairing.
type sqlSessions struct {
	dsn   func() (string, error)
	state core.ChannelState
	log   *slog.Logger

	mu        sync.Mutex
	container *sqlstore.Container
}

func (s *sqlSessions) open(ctx context.Context) (client, string, error) {
	c, err := s.store(ctx)
	if err != nil {
		return nil, "", err
	}
	dev := c.NewDevice()
	jid, err := s.recorded(ctx)
	if err != nil {
		return nil, "", err
	}
	if !jid.IsEmpty() {
		found, err := c.GetDevice(ctx, jid)
		if err != nil {
			return nil, "", fmt.Errorf("whatsmeow device %s: %w", jid, err)
		}
		if found != nil {
			dev = found
		}
	}
	cl := whatsmeow.NewClient(dev, slogAdapter{s.log.With("component", "whatsmeow")})
	// Acknowledge a message only once the hub stored it; keep its
	// plaintext until then, so a redelivery can still be decrypted.
	cl.SynchronousAck = true
	cl.EnableDecryptedEventBuffer = true
	// The driver reconnects itself, with backoff and health.
	cl.EnableAutoReconnect = false
	account := ""
	if dev.ID != nil {
		account, _ = e164(dev.ID.User)
	}
	return cl, account, nil
}

func (s *sqlSessions) store(ctx context.Context) (*sqlstore.Container, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.container != nil {
		return s.container, nil
	}
	if s.dsn == nil {
		return nil, errors.New("no database for the whatsmeow session (Deps.SessionDSN)")
	}
	dsn, err := s.dsn()
	if err != nil {
		return nil, fmt.Errorf("whatsmeow session database: %w", err)
	}
	c, err := sqlstore.New(ctx, "sqlite", dsn, slogAdapter{s.log.With("component", "whatsmeow-store")})
	if err != nil {
		return nil, fmt.Errorf("whatsmeow session store: %w", err)
	}
	s.container = c
	return c, nil
}

func (s *sqlSessions) recorded(ctx context.Context) (types.JID, error) {
	b, err := s.state.Get(ctx, deviceKey)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return types.JID{}, nil
	}
	if err != nil {
		return types.JID{}, fmt.Errorf("read whatsmeow device: %w", err)
	}
	jid, err := types.ParseJID(string(b))
	if err != nil {
		return types.JID{}, nil // unreadable: pair again
	}
	return jid, nil
}

func (s *sqlSessions) linked(ctx context.Context, jid types.JID) error {
	if err := s.state.Put(ctx, deviceKey, []byte(jid.String())); err != nil {
		return fmt.Errorf("record whatsmeow device: %w", err)
	}
	return nil
}

func (s *sqlSessions) account(ctx context.Context) (string, error) {
	jid, err := s.recorded(ctx)
	if err != nil || jid.IsEmpty() {
		return "", err
	}
	c, err := s.store(ctx)
	if err != nil {
		return "", err
	}
	dev, err := c.GetDevice(ctx, jid)
	if err != nil || dev == nil || dev.ID == nil {
		return "", err
	}
	phone, _ := e164(dev.ID.User)
	return phone, nil
}

func (s *sqlSessions) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.container == nil {
		return nil
	}
	err := s.container.Close()
	s.container = nil
	return err
}

// slogAdapter writes whatsmeow's logs to slog; its debug chatter stays at
// debug level.
type slogAdapter struct{ log *slog.Logger }

func (l slogAdapter) Errorf(msg string, args ...any) { l.log.Error(fmt.Sprintf(msg, args...)) }
func (l slogAdapter) Warnf(msg string, args ...any)  { l.log.Warn(fmt.Sprintf(msg, args...)) }
func (l slogAdapter) Infof(msg string, args ...any)  { l.log.Debug(fmt.Sprintf(msg, args...)) }
func (l slogAdapter) Debugf(msg string, args ...any) { l.log.Debug(fmt.Sprintf(msg, args...)) }
func (l slogAdapter) Sub(module string) waLog.Logger {
	return slogAdapter{l.log.With("module", module)}
}
