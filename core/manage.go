package core

import (
	"context"
	"strings"
)

// Assignment says whom a conversation goes to. OperatorID "" with Group ""
// unassigns; a Group without an operator routes to an online member of
// that group, or leaves the conversation unassigned in that group.
type Assignment struct {
	OperatorID string
	Group      string
}

// Assign hands a conversation to an operator or a group. Anyone may take an
// unassigned conversation or give it to someone; only the assignee or an
// admin may move an assigned one.
func (h *Hub) Assign(ctx context.Context, actor Operator, conversationID string, a Assignment) (Conversation, error) {
	return h.change(ctx, actor, conversationID, func(ctx context.Context, tx Tx, conv *Conversation) error {
		now := h.clock.Now()
		if a.Group != "" {
			conv.Group = a.Group
		}
		target := a.OperatorID
		if target != "" {
			op, err := tx.Operator(ctx, target)
			if isNotFound(err) {
				return NotFoundf("no operator %q", target)
			}
			if err != nil {
				return err
			}
			if a.Group != "" && !op.InGroup(a.Group) {
				return Invalidf("%s is not in group %q", op.Name, a.Group)
			}
		} else if a.Group != "" {
			op, ok, err := h.route(ctx, tx, a.Group)
			if err != nil {
				return err
			}
			if ok {
				target = op.ID
				h.presence.assigned(op.ID, now)
			}
		}
		conv.Assign(target, now)
		if target != "" && target != actor.ID {
			return h.notify(ctx, tx, target, "assigned", conv.ID, actor.Name+" assigned a conversation to you")
		}
		return nil
	})
}

// SetStatus changes a conversation's status by hand. Only the assignee or an
// admin may resolve.
func (h *Hub) SetStatus(ctx context.Context, actor Operator, conversationID string, s Status) (Conversation, error) {
	conv, err := h.change(ctx, actor, conversationID, func(ctx context.Context, tx Tx, conv *Conversation) error {
		if s == StatusResolved && actor.Role != RoleAdmin && conv.AssigneeID != actor.ID {
			return Forbiddenf("only the assigned operator or an admin can resolve this conversation")
		}
		return conv.SetStatus(s, h.clock.Now())
	})
	if err == nil {
		h.sendPendingTranscript(ctx, conv) // a $send waiting for the end
	}
	return conv, err
}

// MaxTopicLen bounds a conversation topic, in bytes.
const MaxTopicLen = 200

// SetTopic sets a conversation's topic.
func (h *Hub) SetTopic(ctx context.Context, actor Operator, conversationID, topic string) (Conversation, error) {
	topic = strings.TrimSpace(topic)
	if len(topic) > MaxTopicLen {
		return Conversation{}, Invalidf("a topic has at most %d bytes", MaxTopicLen)
	}
	return h.change(ctx, actor, conversationID, func(ctx context.Context, tx Tx, conv *Conversation) error {
		conv.Topic = topic
		conv.UpdatedAt = h.clock.Now()
		return nil
	})
}

// Trash moves a conversation to the Trash view; Restore brings it back.
func (h *Hub) Trash(ctx context.Context, actor Operator, conversationID string) (Conversation, error) {
	return h.change(ctx, actor, conversationID, func(ctx context.Context, tx Tx, conv *Conversation) error {
		now := h.clock.Now()
		conv.TrashedAt, conv.Live, conv.UpdatedAt = &now, false, now
		return nil
	})
}

// Restore takes a conversation out of the Trash.
func (h *Hub) Restore(ctx context.Context, actor Operator, conversationID string) (Conversation, error) {
	return h.change(ctx, actor, conversationID, func(ctx context.Context, tx Tx, conv *Conversation) error {
		conv.TrashedAt, conv.UpdatedAt = nil, h.clock.Now()
		return nil
	})
}

// DeleteForever removes a trashed conversation, its messages and their
// attachments; only admins may.
func (h *Hub) DeleteForever(ctx context.Context, actor Operator, conversationID string) error {
	if actor.Role != RoleAdmin {
		return Forbiddenf("only an admin can delete conversations for good")
	}
	var blobs []string
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if conv.TrashedAt == nil {
			return Conflictf("move the conversation to the trash before deleting it for good")
		}
		blobs, err = tx.DeleteConversation(ctx, conversationID)
		return err
	})
	if err == nil {
		h.removeBlobs(ctx, blobs)
	}
	return err
}

// change loads a conversation, checks the actor may manage it, applies fn and
// stores the result with the events it implies.
func (h *Hub) change(ctx context.Context, actor Operator, id string, fn func(context.Context, Tx, *Conversation) error) (Conversation, error) {
	var conv Conversation
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if conv, err = tx.Conversation(ctx, id); err != nil {
			return err
		}
		if err := canManage(actor, conv); err != nil {
			return err
		}
		before := conv
		if err := fn(ctx, tx, &conv); err != nil {
			return err
		}
		if err := tx.UpdateConversation(ctx, conv); err != nil {
			return err
		}
		return h.conversationEvents(ctx, tx, before, conv)
	})
	return conv, err
}

// conversationEvents emits what changed between before and after.
func (h *Hub) conversationEvents(ctx context.Context, tx Tx, before, after Conversation) error {
	c := after
	if before.Status != after.Status {
		if err := h.emit(ctx, tx, EventConversationStatusChanged, c.ID, EventData{Conversation: &c, PreviousStatus: string(before.Status)}); err != nil {
			return err
		}
	}
	if before.AssigneeID != after.AssigneeID || before.Group != after.Group {
		if err := h.emit(ctx, tx, EventConversationAssigned, c.ID, EventData{Conversation: &c, OperatorID: c.AssigneeID}); err != nil {
			return err
		}
	}
	return h.emit(ctx, tx, EventConversationUpdated, c.ID, EventData{Conversation: &c})
}
