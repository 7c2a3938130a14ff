package core

import "context"

// DeleteSent deletes an operator message the contact already received: the
// channel removes it on the contact's side (its Deleter), then the
// transcript keeps it marked deleted, still readable for operators. The
// author, the assignee or an admin may; the channel's capabilities decide
// whether, and how long after sending, it can be done. Notes are deleted
// with DeleteNote instead.
func (h *Hub) DeleteSent(ctx context.Context, actor Operator, messageID string) (Message, error) {
	m, err := h.store.Message(ctx, messageID)
	if err != nil {
		return Message{}, err
	}
	if m.Note {
		return Message{}, Invalidf("message %s is a note; delete notes as notes", m.ID)
	}
	if m.Direction != DirectionOut {
		return Message{}, Invalidf("only operator messages can be deleted for the contact")
	}
	if m.DeletedAt != nil {
		return m, nil
	}
	conv, err := h.store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return Message{}, err
	}
	if m.Author != actor.ID {
		if err := canManage(actor, conv); err != nil {
			return Message{}, err
		}
	}
	switch m.Status {
	case DeliveryPending:
		return Message{}, Conflictf("the message is still being sent; delete it once it shows as sent")
	case DeliveryFailed:
		return Message{}, Conflictf("the message was never delivered, so there is nothing to delete for the contact")
	}
	ch, err := h.Channel(m.Channel)
	if err != nil {
		return Message{}, err
	}
	if err := ch.Capabilities.CheckDelete(ch.Name, m.SentAt, h.clock.Now()); err != nil {
		return Message{}, err
	}
	d, ok := ch.Adapter.(Deleter)
	if !ok {
		return Message{}, &CapabilityError{Channel: ch.Name, Capability: "delete",
			Reason: ch.Capabilities.label(ch.Name) + " cannot delete a message once it is sent"}
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return Message{}, err
	}
	if err := d.Delete(ctx, m, contactRef(contact, m.Channel)); err != nil {
		return Message{}, err
	}
	err = h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		cur, err := tx.Message(ctx, m.ID)
		if err != nil {
			return err
		}
		if cur.DeletedAt != nil {
			m = cur
			return nil
		}
		now := h.clock.Now()
		cur.DeletedAt = &now
		if err := tx.UpdateMessage(ctx, cur); err != nil {
			return err
		}
		m = cur
		return h.emit(ctx, tx, EventMessageUpdated, m.ConversationID, EventData{Message: &cur})
	})
	return m, err
}
