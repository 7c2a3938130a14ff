//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"net/http"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
)

// pairState is the QR code of the pairing in progress, for the routes and
// the terminal to show. It is safe for concurrent use.
type pairState struct {
	mu      sync.Mutex
	active  bool
	code    string    // the current QR payload; "" before the first
	expires time.Time // when WhatsApp replaces it
	outcome string    // how the last pairing ended, when none is active
	changed chan struct{}
}

// pairView is a snapshot of pairState.
type pairView struct {
	Active  bool
	Code    string
	Expires time.Time
	Outcome string
}

func newPairState() *pairState { return &pairState{changed: make(chan struct{})} }

func (p *pairState) update(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn()
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *pairState) start() {
	p.update(func() { p.active, p.code, p.outcome = true, "", "" })
}

func (p *pairState) setCode(code string, valid time.Duration) {
	p.update(func() { p.code, p.expires = code, time.Now().Add(valid) })
}

func (p *pairState) finish(outcome string) {
	p.update(func() { p.active, p.code, p.outcome = false, "", outcome })
}

func (p *pairState) view() (pairView, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return pairView{Active: p.active, Code: p.code, Expires: p.expires, Outcome: p.outcome}, p.changed
}

// Outcomes of a pairing.
const (
	pairLinked  = "linked"
	pairExpired = "the QR code expired without being scanned; ask for a new one"
)

// requestPairing asks Run for a QR code, unless one is being shown.
func (d *meowDriver) requestPairing() {
	if v, _ := d.pair.view(); v.Active {
		return
	}
	select {
	case d.pairReq <- struct{}{}:
	default: // already asked
	}
}

// awaitPairing waits, with the health at pairing (or logged out), until an
// admin asks for a QR code and the account is linked with it (true), a
// pairing made by another process is noticed, or ctx ends (false).
func (d *meowDriver) awaitPairing(ctx context.Context, cl client) bool {
	if h := d.health(); h.State != HealthLoggedOut && h.State != HealthOutdated {
		d.setHealth(HealthPairing, "no WhatsApp account is linked; an admin pairs one with the QR code or a pairing code")
	}
	tick := time.NewTicker(d.pollLinked)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
			if account, err := d.sessions.account(ctx); err == nil && account != "" {
				d.a.log.Info("whatsapp account linked by another process", "account", account)
				return false
			}
		case <-d.pairReq:
			if d.showQR(ctx, cl) {
				return true
			}
		}
	}
}

// showQR runs one pairing: it connects cl, publishes each QR code
// WhatsApp hands out until one is scanned (true) or they run out, and
// leaves cl disconnected on failure.
func (d *meowDriver) showQR(ctx context.Context, cl client) bool {
	ok, outcome := runQR(ctx, cl, func(code string, valid time.Duration) { d.pair.setCode(code, valid) }, d.pair.start)
	d.pair.finish(outcome)
	if !ok {
		cl.Disconnect()
		if outcome == whatsmeow.QRChannelClientOutdated.Event {
			d.setHealth(HealthOutdated, "WhatsApp refuses this client version; upgrade Switchboard (its whatsmeow)")
		}
		d.a.log.Info("whatsapp pairing ended", "outcome", outcome)
		return false
	}
	d.setHealth(HealthDisconnected, "linked; connecting")
	return true
}

// runQR connects an unpaired client and reports each QR code to onCode
// until the pairing ends; it returns whether the account was linked, and
// how it ended.
func runQR(ctx context.Context, cl client, onCode func(code string, valid time.Duration), onStart func()) (bool, string) {
	qrCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	items, err := cl.GetQRChannel(qrCtx)
	if err != nil {
		return false, "pairing could not start: " + err.Error()
	}
	onStart()
	if err := cl.ConnectContext(ctx); err != nil {
		return false, "connecting to WhatsApp failed: " + err.Error()
	}
	for {
		select {
		case <-ctx.Done():
			return false, "stopped"
		case item, open := <-items:
			switch {
			case !open:
				return false, pairExpired
			case item.Event == whatsmeow.QRChannelEventCode:
				onCode(item.Code, item.Timeout)
			case item == whatsmeow.QRChannelSuccess:
				return true, pairLinked
			case item == whatsmeow.QRChannelTimeout:
				return false, pairExpired
			case item.Event == whatsmeow.QRChannelEventError:
				return false, "pairing failed: " + item.Error.Error()
			default:
				return false, item.Event
			}
		}
	}
}

// pairing serves the pairing routes.
func (d *meowDriver) pairing() (qr, phone http.Handler) {
	return http.HandlerFunc(d.serveQR), http.HandlerFunc(d.servePhoneCode)
}
