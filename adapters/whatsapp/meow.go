//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"
)

// meowDriver links the hub to a WhatsApp account as a companion device
// through whatsmeow. Run owns the session: it opens the device from the
// hub's database, waits for pairing when none is linked, and keeps the
// connection up with backoff; event handlers store what arrives.
type meowDriver struct {
	a        *Adapter
	sessions sessions
	hs       *healthState
	pace     *pacer
	pair     *pairState

	// minBackoff and maxBackoff bound the wait between reconnects;
	// pollLinked is how often a waiting driver looks for a pairing made by
	// `switchboard whatsapp pair` in another process.
	minBackoff, maxBackoff, pollLinked time.Duration

	pairReq chan struct{} // an admin asked for a QR code

	mu    sync.Mutex
	cl    client
	ctx   context.Context // Run's, for event handlers; nil before Run
	waits map[string]time.Time
}

// newWhatsmeow builds the driver on the hub's database.
func newWhatsmeow(a *Adapter, dsn func() (string, error)) (driver, error) {
	if dsn == nil {
		return nil, errors.New("the whatsmeow driver needs the hub's database for its session (Deps.SessionDSN)")
	}
	return newMeow(a, &sqlSessions{dsn: dsn, state: a.state, log: a.log}), nil
}

func newMeow(a *Adapter, s sessions) *meowDriver {
	return &meowDriver{
		a: a, sessions: s,
		hs:         newHealthState(HealthDisconnected, "not started", a.now()),
		pace:       newPacer(a.cfg.Pacing),
		pair:       newPairState(),
		minBackoff: time.Second, maxBackoff: 2 * time.Minute, pollLinked: 5 * time.Second,
		pairReq: make(chan struct{}, 1),
		waits:   map[string]time.Time{},
	}
}

func (d *meowDriver) health() Health {
	h, _ := d.hs.get()
	return h
}

func (d *meowDriver) setHealth(state, detail string) {
	d.hs.set(state, detail, d.a.now())
}

func (d *meowDriver) client() client {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cl
}

func (d *meowDriver) runCtx() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return context.Background()
	}
	return d.ctx
}

// run keeps the session until ctx is cancelled. It never gives up: a
// database that cannot be opened, a refused connection or a logout leave
// the channel unhealthy, with the reason, and retried or waiting for
// pairing.
func (d *meowDriver) run(ctx context.Context) error {
	d.mu.Lock()
	if d.ctx != nil {
		d.mu.Unlock()
		return errors.New("whatsapp: Run called twice")
	}
	d.ctx = ctx
	d.mu.Unlock()
	defer func() {
		if err := d.sessions.close(); err != nil {
			d.a.log.Warn("close whatsmeow session store", "err", err)
		}
	}()
	wait := d.backoff()
	for ctx.Err() == nil {
		cl, account, err := d.sessions.open(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			d.a.log.Error("whatsmeow session not opened", "err", err)
			d.setHealth(HealthDisconnected, "the WhatsApp session cannot be opened: "+err.Error())
			sleep(ctx, wait.next())
			continue
		}
		wait.reset()
		cl.AddEventHandlerWithSuccessStatus(d.onEvent)
		d.mu.Lock()
		d.cl = cl
		d.mu.Unlock()
		d.hs.setAccount(account)
		if account == "" && !d.awaitPairing(ctx, cl) {
			cl.Disconnect()
			continue // linked elsewhere, or stopping: open again
		}
		d.stayConnected(ctx, cl)
		cl.Disconnect()
	}
	d.setHealth(HealthDisconnected, "stopped")
	return nil
}

// stayConnected keeps cl connected until ctx ends or the account logs out.
// The Connected and Disconnected events move the health; this loop
// reconnects with backoff whenever the socket is down.
func (d *meowDriver) stayConnected(ctx context.Context, cl client) {
	wait := d.backoff()
	for {
		h, changed := d.hs.get()
		switch h.State {
		case HealthLoggedOut:
			return
		case HealthOutdated:
			<-ctx.Done()
			return
		case HealthConnected:
			wait.reset()
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return
			}
		}
		if !cl.IsConnected() {
			err := cl.ConnectContext(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && !errors.Is(err, whatsmeow.ErrAlreadyConnected):
				d.a.log.Warn("whatsmeow connect failed", "err", err)
				d.setHealth(HealthDisconnected, "connecting to WhatsApp failed ("+err.Error()+"); retrying")
			}
		}
		t := time.NewTimer(wait.next())
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		t.Stop()
	}
}

// onEvent is the whatsmeow event handler. Its result is whether the event
// was handled; false leaves a message unacknowledged, so WhatsApp delivers
// it again.
func (d *meowDriver) onEvent(evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		return d.receiveMessage(d.runCtx(), e)
	case *events.Receipt:
		return d.receiveReceipt(d.runCtx(), e)
	case *events.Connected:
		d.setHealth(HealthConnected, "")
	case *events.Disconnected:
		d.setHealth(HealthDisconnected, "the connection to WhatsApp was lost; reconnecting")
	case *events.StreamReplaced:
		d.setHealth(HealthDisconnected, "another client took over this WhatsApp session; reconnecting")
	case *events.TemporaryBan:
		d.setHealth(HealthDisconnected, "WhatsApp banned the account temporarily: "+e.String())
	case *events.ConnectFailure:
		d.setHealth(HealthDisconnected, "WhatsApp refused the connection: "+e.Reason.String()+" "+e.Message)
	case *events.LoggedOut:
		d.a.log.Warn("whatsapp account logged out", "reason", e.Reason.String())
		d.hs.setAccount("")
		d.setHealth(HealthLoggedOut, "the account unlinked this hub ("+e.Reason.String()+"); pair it again")
	case *events.ClientOutdated:
		d.setHealth(HealthOutdated, "WhatsApp refuses this client version; upgrade Switchboard (its whatsmeow)")
	case *events.PairSuccess:
		d.linked(e)
	case *events.UndecryptableMessage:
		d.a.log.Warn("whatsapp message could not be decrypted", "id", e.Info.ID, "from", e.Info.Sender.String())
	}
	return true
}

// linked records a successful pairing so that a restart reconnects
// without it.
func (d *meowDriver) linked(e *events.PairSuccess) {
	account, _ := e164(e.ID.User)
	d.a.log.Info("whatsapp account linked", "account", account, "platform", e.Platform)
	d.hs.setAccount(account)
	if err := d.sessions.linked(d.runCtx(), e.ID); err != nil {
		d.a.log.Error("linked device not recorded; a restart will need pairing again", "err", err)
	}
}

// backoff doubles a wait from min to max.
type backoff struct{ min, max, cur time.Duration }

func (d *meowDriver) backoff() *backoff { return &backoff{min: d.minBackoff, max: d.maxBackoff} }

func (b *backoff) next() time.Duration {
	switch {
	case b.cur == 0:
		b.cur = b.min
	case b.cur < b.max:
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
