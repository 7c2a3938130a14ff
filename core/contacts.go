package core

import (
	"context"
	"net/mail"
	"strings"
)

// UpdateContact edits a contact's details. Any operator may.
func (h *Hub) UpdateContact(ctx context.Context, actor Operator, id string, p ContactPatch) (Contact, error) {
	if p.Email != nil && *p.Email != "" {
		addr, err := mail.ParseAddress(*p.Email)
		if err != nil || addr.Name != "" {
			return Contact{}, Invalidf("%q is not an email address", *p.Email)
		}
		e := strings.ToLower(addr.Address)
		p.Email = &e
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		return Contact{}, Invalidf("a contact's name cannot be empty")
	}
	var c Contact
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		old, err := tx.Contact(ctx, id)
		if err != nil {
			return err
		}
		c = p.Apply(old)
		c.UpdatedAt = h.clock.Now()
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		if old.Blocked != c.Blocked {
			if err := h.refileBlocked(ctx, tx, c); err != nil {
				return err
			}
		}
		return h.emit(ctx, tx, EventContactUpdated, "", EventData{Contact: &c})
	})
	return c, err
}

// SetBlocked blocks or unblocks a contact. A blocked contact's conversations
// move to the Filtered view; unblocking moves them back.
func (h *Hub) SetBlocked(ctx context.Context, actor Operator, id string, blocked bool) (Contact, error) {
	return h.UpdateContact(ctx, actor, id, ContactPatch{Blocked: &blocked})
}

func (h *Hub) refileBlocked(ctx context.Context, tx Tx, c Contact) error {
	convs, err := tx.ContactConversations(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, conv := range convs {
		before := conv
		switch {
		case c.Blocked && conv.FilterReason == "":
			conv.FilterReason, conv.Live = "blocked", false
		case !c.Blocked && conv.FilterReason == "blocked":
			conv.FilterReason = ""
		default:
			continue
		}
		conv.UpdatedAt = h.clock.Now()
		if err := tx.UpdateConversation(ctx, conv); err != nil {
			return err
		}
		if err := h.conversationEvents(ctx, tx, before, conv); err != nil {
			return err
		}
	}
	return nil
}

// EraseContact removes a contact and every conversation, message,
// attachment, blob and search entry of theirs (GDPR erasure). Only admins
// may.
func (h *Hub) EraseContact(ctx context.Context, actor Operator, id string) error {
	if actor.Role != RoleAdmin {
		return Forbiddenf("only an admin can erase a contact")
	}
	var blobs []string
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := tx.Contact(ctx, id); err != nil {
			return err
		}
		var err error
		if blobs, err = tx.EraseContact(ctx, id); err != nil {
			return err
		}
		return h.emit(ctx, tx, EventContactErased, "", EventData{ContactID: id})
	})
	if err == nil {
		h.removeBlobs(ctx, blobs)
	}
	return err
}
