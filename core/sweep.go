package core

import (
	"context"
	"time"
)

// AutoResolve resolves conversations that have been quiet for
// AutoResolveAfter and returns how many it resolved. A later message from
// either side reactivates them.
func (h *Hub) AutoResolve(ctx context.Context) (int, error) {
	if h.cfg.AutoResolveAfter < 0 {
		return 0, nil
	}
	now := h.clock.Now()
	due, err := h.store.DueForAutoResolve(ctx, now.Add(-h.cfg.AutoResolveAfter), 500)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	n := 0
	var resolved []Conversation
	err = h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		n, resolved = 0, resolved[:0]
		for _, c := range due {
			conv, err := tx.Conversation(ctx, c.ID)
			if err != nil {
				return err
			}
			if !conv.AutoResolveDue(now, h.cfg.AutoResolveAfter) {
				continue // a message arrived meanwhile
			}
			before := conv
			if err := conv.SetStatus(StatusResolved, now); err != nil {
				return err
			}
			if err := tx.UpdateConversation(ctx, conv); err != nil {
				return err
			}
			if err := h.conversationEvents(ctx, tx, before, conv); err != nil {
				return err
			}
			n++
			resolved = append(resolved, conv)
		}
		return nil
	})
	if err == nil {
		for _, c := range resolved {
			h.sendPendingTranscript(ctx, c) // a $send waiting for the end
		}
	}
	return n, err
}

// ExpireLive drops the LIVE label of conversations whose contact has not
// written for LiveTimeout.
func (h *Hub) ExpireLive(ctx context.Context) error {
	idle, err := h.store.LiveIdleSince(ctx, h.clock.Now().Add(-h.cfg.LiveTimeout))
	if err != nil || len(idle) == 0 {
		return err
	}
	ids := make(map[string]bool, len(idle))
	for _, c := range idle {
		ids[c.ID] = true
	}
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return h.dropLive(ctx, tx, func(c Conversation) bool {
			return ids[c.ID] && !c.LastContactAt.After(h.clock.Now().Add(-h.cfg.LiveTimeout))
		})
	})
}

// Run sweeps periodically (auto-resolve, LIVE expiry) until ctx ends.
func (h *Hub) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := h.AutoResolve(ctx); err != nil {
			h.log.Warn("auto-resolve", "err", err)
		} else if n > 0 {
			h.log.Info("auto-resolved conversations", "count", n)
		}
		if err := h.ExpireLive(ctx); err != nil {
			h.log.Warn("expire live labels", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
