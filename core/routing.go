package core

import (
	"context"
	"time"
)

// candidate is an online operator considered for a new conversation.
type candidate struct {
	op        Operator
	live      int
	idleSince time.Time
}

// pickOperator chooses whom a new conversation goes to: an online operator
// with a free chat slot (in group, when the channel has one), least busy
// first, ties broken by longest idle, then by id for determinism.
func pickOperator(cands []candidate, group string) (Operator, bool) {
	var best *candidate
	for i := range cands {
		c := &cands[i]
		if group != "" && !c.op.InGroup(group) {
			continue
		}
		if c.live >= c.op.Slots {
			continue
		}
		if best == nil || better(c, best) {
			best = c
		}
	}
	if best == nil {
		return Operator{}, false
	}
	return best.op, true
}

func better(a, b *candidate) bool {
	if a.live != b.live {
		return a.live < b.live
	}
	if !a.idleSince.Equal(b.idleSince) {
		return a.idleSince.Before(b.idleSince)
	}
	return a.op.ID < b.op.ID
}

// route picks an assignee for a new conversation inside tx, or reports none.
func (h *Hub) route(ctx context.Context, tx Tx, group string) (Operator, bool, error) {
	online := h.presence.online()
	if len(online) == 0 {
		return Operator{}, false, nil
	}
	live, err := tx.LiveCounts(ctx)
	if err != nil {
		return Operator{}, false, err
	}
	cands := make([]candidate, 0, len(online))
	for id, idle := range online {
		op, err := tx.Operator(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return Operator{}, false, err
		}
		cands = append(cands, candidate{op: op, live: live[id], idleSince: idle})
	}
	op, ok := pickOperator(cands, group)
	return op, ok, nil
}

// hasFreeSlot reports whether operator id is online and can take conv live:
// it is live already, or the operator has a chat slot left.
func (h *Hub) hasFreeSlot(ctx context.Context, tx Tx, conv Conversation) (bool, error) {
	if conv.AssigneeID == "" || h.presence.get(conv.AssigneeID) != Online {
		return false, nil
	}
	if conv.Live {
		return true, nil
	}
	op, err := tx.Operator(ctx, conv.AssigneeID)
	if err != nil {
		return false, err
	}
	live, err := tx.LiveCounts(ctx)
	if err != nil {
		return false, err
	}
	return live[conv.AssigneeID] < op.Slots, nil
}
