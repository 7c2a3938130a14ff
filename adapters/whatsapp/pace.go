package whatsapp

import (
	"context"
	"sync"
	"time"
)

// pacer spaces messages to one chat at least every apart, so that one
// number never floods a contact (and WhatsApp does not flag the account).
// It is safe for concurrent use.
type pacer struct {
	every time.Duration
	mu    sync.Mutex
	next  map[string]time.Time // chat -> earliest time of its next message
}

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, next: map[string]time.Time{}}
}

// wait blocks until chat may get its next message, and books that slot. It
// returns ctx's error if ctx ends first; the slot is then given up.
func (p *pacer) wait(ctx context.Context, chat string) error {
	if p.every <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	at := now
	if next, ok := p.next[chat]; ok && next.After(now) {
		at = next
	}
	p.next[chat] = at.Add(p.every)
	if len(p.next) > 1024 {
		for k, t := range p.next {
			if t.Before(now) {
				delete(p.next, k)
			}
		}
	}
	p.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		if p.next[chat].Equal(at.Add(p.every)) {
			p.next[chat] = at // nobody booked after us: give the slot back
		}
		p.mu.Unlock()
		return ctx.Err()
	}
}
