package whatsapp

import (
	"sync"
	"time"
)

// Health states of a channel's connection to WhatsApp.
const (
	// HealthPairing: no WhatsApp account is linked yet; an admin pairs one
	// with the QR code or a pairing code.
	HealthPairing = "pairing"
	// HealthConnected: the session is up; messages flow.
	HealthConnected = "connected"
	// HealthDisconnected: the session is down and being re-established
	// with backoff; messages wait (see Config.SendTimeout).
	HealthDisconnected = "disconnected"
	// HealthLoggedOut: the account unlinked the hub (from the phone, or
	// WhatsApp did); it needs pairing again.
	HealthLoggedOut = "logged out"
	// HealthOutdated: WhatsApp refuses this client version; the binary
	// needs a newer whatsmeow.
	HealthOutdated = "outdated client"
)

// Health is the state of a channel's connection to WhatsApp, for operators.
type Health struct {
	State string `json:"state"`
	// Detail says why, when the state is not connected.
	Detail string `json:"detail,omitempty"`
	// Since is when State last changed.
	Since time.Time `json:"since"`
	// Account is the linked WhatsApp number (E.164) or, for the cloud
	// driver, the phone number id.
	Account string `json:"account,omitempty"`
}

// healthState keeps a Health and wakes waiters when it changes.
type healthState struct {
	mu      sync.Mutex
	h       Health
	changed chan struct{} // closed and replaced on every change
}

func newHealthState(state, detail string, now time.Time) *healthState {
	return &healthState{h: Health{State: state, Detail: detail, Since: now}, changed: make(chan struct{})}
}

func (s *healthState) set(state, detail string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h.State == state && s.h.Detail == detail {
		return
	}
	if s.h.State != state {
		s.h.Since = now
	}
	s.h.State, s.h.Detail = state, detail
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *healthState) setAccount(account string) {
	s.mu.Lock()
	s.h.Account = account
	s.mu.Unlock()
}

// get returns the health and a channel closed at its next change.
func (s *healthState) get() (Health, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h, s.changed
}
