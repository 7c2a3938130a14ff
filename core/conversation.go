package core

import (
	"fmt"
	"strings"
	"time"
)

// Status is where a conversation stands (DESIGN §4).
type Status string

// Conversation statuses.
const (
	// StatusNew: started by a contact while no operator was available; it
	// sits in Unassigned until someone takes it.
	StatusNew Status = "new"
	// StatusOpen: needs an operator reply.
	StatusOpen Status = "open"
	// StatusWaiting: an operator replied last and waits for the contact.
	StatusWaiting Status = "waiting"
	// StatusResolved: ended by an operator or automatically; a new message
	// from either side reactivates it.
	StatusResolved Status = "resolved"
)

// ParseStatus accepts a status name in any case.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusNew, StatusOpen, StatusWaiting, StatusResolved:
		return st, nil
	}
	return "", Invalidf("unknown status %q (want new, open, waiting or resolved)", s)
}

// LabelLive marks a conversation in which contact and assignee are both
// present and the assignee holds a chat slot for it.
const LabelLive = "LIVE"

// Conversation is one thread between a contact and the team on one channel
// instance.
type Conversation struct {
	ID         string `json:"id"`
	ContactID  string `json:"contact_id"`
	Channel    string `json:"channel"`
	Status     Status `json:"status"`
	Live       bool   `json:"live"`
	Topic      string `json:"topic"`
	AssigneeID string `json:"assignee,omitempty"`
	Group      string `json:"group,omitempty"`
	// FilterReason is non-empty for conversations in the Filtered view
	// (role senders, auto-replies, bounces, blocked senders).
	FilterReason string     `json:"filter_reason,omitempty"`
	TrashedAt    *time.Time `json:"trashed_at,omitempty"`
	ThreadKey    string     `json:"thread_key,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// LastMessageAt is the last customer or operator message (not notes).
	LastMessageAt time.Time  `json:"last_message_at"`
	LastContactAt time.Time  `json:"last_contact_at"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
}

// Labels returns the conversation's labels for display.
func (c Conversation) Labels() []string {
	if c.Live {
		return []string{LabelLive}
	}
	return []string{}
}

// ContactWrote applies a new contact message at t: the conversation needs a
// reply, so it is OPEN for its assignee, or NEW (in Unassigned) when nobody
// has it. A resolved conversation reactivates this way.
func (c *Conversation) ContactWrote(t time.Time) {
	if c.AssigneeID == "" {
		c.setStatus(StatusNew, t) // needs a reply and nobody has it: Unassigned
	} else {
		c.setStatus(StatusOpen, t)
	}
	c.LastContactAt = t
	c.LastMessageAt = t
	c.UpdatedAt = t
}

// OperatorWrote applies an operator reply at t: the conversation now waits for
// the contact, whatever it was before (a resolved one reactivates).
func (c *Conversation) OperatorWrote(t time.Time) {
	c.setStatus(StatusWaiting, t)
	c.LastMessageAt = t
	c.UpdatedAt = t
}

// Assign hands the conversation to operator id ("" unassigns). A NEW
// conversation that gains an assignee becomes OPEN; one that loses it while
// still needing a reply falls back to NEW so it shows in Unassigned.
func (c *Conversation) Assign(id string, t time.Time) {
	if c.AssigneeID != id {
		c.Live = false
	}
	c.AssigneeID = id
	switch {
	case id != "" && c.Status == StatusNew:
		c.setStatus(StatusOpen, t)
	case id == "" && c.Status == StatusOpen:
		c.setStatus(StatusNew, t)
	}
	c.UpdatedAt = t
}

// SetStatus sets the status by hand. NEW is only valid without an assignee;
// a value that is not one of the four statuses is refused.
func (c *Conversation) SetStatus(s Status, t time.Time) error {
	switch s {
	case StatusNew, StatusOpen, StatusWaiting, StatusResolved:
	default:
		return Invalidf("unknown status %q (want new, open, waiting or resolved)", string(s))
	}
	if s == StatusNew && c.AssigneeID != "" {
		return Invalidf("an assigned conversation cannot be new; unassign it first")
	}
	c.setStatus(s, t)
	c.UpdatedAt = t
	return nil
}

func (c *Conversation) setStatus(s Status, t time.Time) {
	if s == StatusResolved && c.Status != StatusResolved {
		rt := t
		c.ResolvedAt = &rt
		c.Live = false
	}
	if s != StatusResolved {
		c.ResolvedAt = nil
	}
	c.Status = s
}

// AutoResolveDue reports whether the conversation has gone quiet for at least
// after since its last message, and should be resolved automatically.
func (c Conversation) AutoResolveDue(now time.Time, after time.Duration) bool {
	if c.Status == StatusResolved || after <= 0 {
		return false
	}
	last := c.LastMessageAt
	if last.IsZero() {
		last = c.CreatedAt
	}
	return !now.Before(last.Add(after))
}

// String is for logs.
func (c Conversation) String() string {
	return fmt.Sprintf("conversation %s (%s, %s)", c.ID, c.Channel, c.Status)
}
