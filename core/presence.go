package core

import (
	"context"
	"sort"
	"sync"
	"time"
)

// presenceTable is the in-memory record of who is online. Operators start
// away; presence is not persisted, so a restart makes everyone away.
type presenceTable struct {
	mu  sync.Mutex
	ops map[string]*presenceEntry
}

type presenceEntry struct {
	presence Presence
	since    time.Time
	// lastAssigned is when routing last gave this operator a conversation;
	// routing breaks ties by longest idle.
	lastAssigned time.Time
}

func newPresenceTable() *presenceTable {
	return &presenceTable{ops: map[string]*presenceEntry{}}
}

func (t *presenceTable) get(id string) Presence {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.ops[id]; e != nil {
		return e.presence
	}
	return Away
}

// set records p and reports whether it changed.
func (t *presenceTable) set(id string, p Presence, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.ops[id]
	if e == nil {
		e = &presenceEntry{presence: Away}
		t.ops[id] = e
	}
	if e.presence == p {
		return false
	}
	e.presence, e.since = p, now
	if p == Online && e.lastAssigned.IsZero() {
		e.lastAssigned = now
	}
	return true
}

func (t *presenceTable) assigned(id string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.ops[id]; e != nil {
		e.lastAssigned = now
	}
}

// online returns the ids of online operators with the time they were last
// given a conversation.
func (t *presenceTable) online() map[string]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]time.Time{}
	for id, e := range t.ops {
		if e.presence == Online {
			out[id] = e.lastAssigned
		}
	}
	return out
}

// OperatorStatus is an operator's presence and chat slot use.
type OperatorStatus struct {
	Operator
	Presence  Presence `json:"presence"`
	SlotsUsed int      `json:"slots_used"`
}

// Presence returns an operator's presence.
func (h *Hub) Presence(operatorID string) Presence { return h.presence.get(operatorID) }

// OperatorStatuses lists every operator with presence and slots used.
func (h *Hub) OperatorStatuses(ctx context.Context) ([]OperatorStatus, error) {
	ops, err := h.store.Operators(ctx)
	if err != nil {
		return nil, err
	}
	live, err := h.store.LiveCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]OperatorStatus, 0, len(ops))
	for _, o := range ops {
		out = append(out, OperatorStatus{Operator: o, Presence: h.presence.get(o.ID), SlotsUsed: live[o.ID]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SetPresence switches an operator online or away. Going away drops the LIVE
// label of the operator's conversations: they continue asynchronously.
func (h *Hub) SetPresence(ctx context.Context, operatorID string, p Presence) error {
	if p != Online && p != Away {
		return Invalidf("presence must be online or away, not %q", p)
	}
	if _, err := h.store.Operator(ctx, operatorID); err != nil {
		return err
	}
	now := h.clock.Now()
	if !h.presence.set(operatorID, p, now) {
		return nil
	}
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if p == Away {
			if err := h.dropLive(ctx, tx, func(c Conversation) bool { return c.AssigneeID == operatorID }); err != nil {
				return err
			}
		}
		return h.emit(ctx, tx, EventOperatorPresence, operatorID, EventData{OperatorID: operatorID, Presence: p})
	})
}

// dropLive clears the LIVE label of live conversations that match.
func (h *Hub) dropLive(ctx context.Context, tx Tx, match func(Conversation) bool) error {
	live, err := tx.LiveIdleSince(ctx, h.clock.Now().Add(time.Hour*24*365*100))
	if err != nil {
		return err
	}
	for _, c := range live {
		if !match(c) {
			continue
		}
		c.Live = false
		c.UpdatedAt = h.clock.Now()
		if err := tx.UpdateConversation(ctx, c); err != nil {
			return err
		}
		cc := c
		if err := h.emit(ctx, tx, EventConversationUpdated, c.ID, EventData{Conversation: &cc}); err != nil {
			return err
		}
	}
	return nil
}
