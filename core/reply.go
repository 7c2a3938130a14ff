package core

import (
	"context"
	"strings"
)

// Reply is an operator's outgoing message or note.
type Reply struct {
	Text        string
	Attachments []Attachment
	// Note makes it an internal note: stored, never sent to the contact.
	Note bool
	// IdempotencyKey makes retries of the same request store one message.
	IdempotencyKey string
}

// Send stores an operator message and queues it for the conversation's
// channel, or stores a note. Only the assignee may send messages; anyone may
// add notes. Attachments are checked against the channel's capabilities
// before anything is queued.
func (h *Hub) Send(ctx context.Context, actor Operator, conversationID string, r Reply) (Message, error) {
	r.Text = strings.TrimSpace(r.Text)
	if r.Text == "" && len(r.Attachments) == 0 {
		return Message{}, Invalidf("a message needs text or an attachment")
	}
	if len(r.Text) > MaxTextLen {
		return Message{}, TooLargef("text is %d bytes; the limit is %d", len(r.Text), MaxTextLen)
	}
	if r.IdempotencyKey != "" {
		if m, err := h.store.MessageByIdempotencyKey(ctx, r.IdempotencyKey); err == nil {
			return sameRequest(m, actor, conversationID)
		}
	}
	if !r.Note {
		if err := h.checkSend(ctx, conversationID, r); err != nil {
			return Message{}, err
		}
	}
	var msg Message
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		ch, err := h.Channel(conv.Channel)
		if err != nil {
			return err
		}
		if !r.Note {
			if err := canReply(actor, conv); err != nil {
				return err
			}
			for _, a := range r.Attachments {
				if err := ch.Capabilities.CheckAttachment(ch.Name, a); err != nil {
					return err
				}
			}
			contact, err := tx.Contact(ctx, conv.ContactID)
			if err != nil {
				return err
			}
			if contact.Blocked {
				return Conflictf("%s is blocked; unblock the contact to write to them", contactLabel(contact))
			}
		}
		msg, err = h.insertOperatorMessage(ctx, tx, actor, conv, r)
		return err
	})
	if IsDuplicate(err) && r.IdempotencyKey != "" {
		m, err := h.store.MessageByIdempotencyKey(ctx, r.IdempotencyKey)
		if err != nil {
			return Message{}, err
		}
		return sameRequest(m, actor, conversationID)
	}
	return msg, err
}

// sameRequest returns the message an idempotency key already stored, unless
// the key was used for another conversation or by another operator.
func sameRequest(m Message, actor Operator, conversationID string) (Message, error) {
	if m.ConversationID != conversationID || m.Author != actor.ID {
		return Message{}, Conflictf("idempotency key already used for another message")
	}
	return m, nil
}

// checkSend asks a channel whose sending depends on the conversation (a
// window, an opt-out) whether this message may go.
func (h *Hub) checkSend(ctx context.Context, conversationID string, r Reply) error {
	conv, err := h.store.Conversation(ctx, conversationID)
	if err != nil {
		return err
	}
	ch, err := h.Channel(conv.Channel)
	if err != nil {
		return err
	}
	checker, ok := ch.Adapter.(SendChecker)
	if !ok {
		return nil
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return err
	}
	return checker.CheckSend(ctx, SendCheck{
		Conversation: conv, Contact: contact, To: contactRef(contact, conv.Channel),
		Text: r.Text, Attachments: r.Attachments, Now: h.clock.Now(),
	})
}

func (h *Hub) insertOperatorMessage(ctx context.Context, tx Tx, actor Operator, conv Conversation, r Reply) (Message, error) {
	now := h.clock.Now()
	text, masked := MaskCards(r.Text)
	m := Message{
		ID: h.ids.New("msg"), ConversationID: conv.ID, Channel: conv.Channel, Direction: DirectionOut,
		Kind: KindMessage, Text: text, Attachments: r.Attachments, Note: r.Note, Author: actor.ID,
		IdempotencyKey: r.IdempotencyKey, Masked: masked, SentAt: now, CreatedAt: now,
	}
	if m.Attachments == nil {
		m.Attachments = []Attachment{}
	}
	if !r.Note {
		m.Status = DeliveryPending
	}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return Message{}, err
	}
	before := conv
	if !r.Note {
		conv.OperatorWrote(now)
		if err := tx.UpdateConversation(ctx, conv); err != nil {
			return Message{}, err
		}
		if err := h.enqueueDelivery(ctx, tx, m); err != nil {
			return Message{}, err
		}
	}
	return m, h.messageEvents(ctx, tx, before, conv, m, false)
}

// EditNote changes a note's text; only its author or an admin may.
func (h *Hub) EditNote(ctx context.Context, actor Operator, messageID, text string) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Message{}, Invalidf("a note needs text")
	}
	var m Message
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if m, err = h.ownNote(ctx, tx, actor, messageID); err != nil {
			return err
		}
		now := h.clock.Now()
		m.Text, m.Masked = MaskCards(text)
		m.EditedAt = &now
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return h.emit(ctx, tx, EventMessageUpdated, m.ConversationID, EventData{Message: &m})
	})
	return m, err
}

// DeleteNote removes a note; only its author or an admin may.
func (h *Hub) DeleteNote(ctx context.Context, actor Operator, messageID string) error {
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		m, err := h.ownNote(ctx, tx, actor, messageID)
		if err != nil {
			return err
		}
		if err := tx.DeleteMessage(ctx, m.ID); err != nil {
			return err
		}
		now := h.clock.Now()
		m.DeletedAt = &now
		return h.emit(ctx, tx, EventMessageUpdated, m.ConversationID, EventData{Message: &m})
	})
}

func (h *Hub) ownNote(ctx context.Context, tx Tx, actor Operator, id string) (Message, error) {
	m, err := tx.Message(ctx, id)
	if err != nil {
		return m, err
	}
	if !m.Note {
		return m, Invalidf("message %s is not a note", id)
	}
	if m.Author != actor.ID && actor.Role != RoleAdmin {
		return m, Forbiddenf("only the note's author or an admin can change it")
	}
	return m, nil
}

// canReply allows only the assignee to write to the contact.
func canReply(actor Operator, conv Conversation) error {
	switch conv.AssigneeID {
	case actor.ID:
		return nil
	case "":
		return Forbiddenf("this conversation is unassigned; assign it to yourself to reply")
	}
	return Forbiddenf("only the assigned operator can reply in this conversation; add a note instead")
}

// canManage allows the assignee, an admin, or anyone on an unassigned
// conversation.
func canManage(actor Operator, conv Conversation) error {
	if actor.Role == RoleAdmin || conv.AssigneeID == "" || conv.AssigneeID == actor.ID {
		return nil
	}
	return Forbiddenf("only the assigned operator or an admin can change this conversation")
}
