package core

import (
	"context"
	"time"
)

// TypingNotifier is implemented by channels that can show the contact that an
// operator is typing (a live web chat). NotifyTyping is best effort: a
// contact who is not connected simply does not see it.
type TypingNotifier interface {
	NotifyTyping(ctx context.Context, t Typing) error
}

// Typing is an operator's typing state in a conversation, on its way to the
// contact.
type Typing struct {
	ConversationID string
	// To is the contact's identity on the conversation's channel.
	To           ContactRef
	OperatorID   string
	OperatorName string
	// Typing is false when the operator stopped typing without sending.
	Typing bool
}

// OperatorTyping tells the contact of a conversation that actor started or
// stopped typing, where the conversation's channel can show it. Only the
// assignee writes to the contact, so only their typing is passed on; on a
// channel without a TypingNotifier it does nothing.
func (h *Hub) OperatorTyping(ctx context.Context, actor Operator, conversationID string, typing bool) error {
	conv, err := h.store.Conversation(ctx, conversationID)
	if err != nil {
		return err
	}
	if err := canReply(actor, conv); err != nil {
		return err
	}
	ch, err := h.Channel(conv.Channel)
	if err != nil {
		return err
	}
	n, ok := ch.Adapter.(TypingNotifier)
	if !ok {
		return nil
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return err
	}
	return n.NotifyTyping(ctx, Typing{
		ConversationID: conv.ID, To: contactRef(contact, conv.Channel),
		OperatorID: actor.ID, OperatorName: actor.Name, Typing: typing,
	})
}

// Rater is implemented by channels that can ask the contact to rate a
// conversation (a live web chat). RequestRating refuses with a
// *CapabilityError, shown to the operator verbatim, when the contact cannot
// be asked now (not online, or rating switched off).
type Rater interface {
	RequestRating(ctx context.Context, r RatingRequest) error
}

// RatingRequest is an operator's $rating in a conversation.
type RatingRequest struct {
	Conversation Conversation
	// To is the contact's identity on the conversation's channel.
	To       ContactRef
	Operator Operator
}

// ContactPresenceChanged records that a contact came online or went away on
// a channel with live sessions (a web chat visitor connected or left). Going
// away drops the LIVE label of the contact's conversations on that channel,
// freeing the operator's chat slot. Coming back makes a conversation LIVE
// again when the contact wrote within the live timeout and the assignee is
// online with a free chat slot, as a new contact message would.
func (h *Hub) ContactPresenceChanged(ctx context.Context, channel, externalID string, online bool) error {
	if _, ok := h.channels[channel]; !ok {
		return Invalidf("no channel named %q", channel)
	}
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		contact, err := tx.ContactByIdentity(ctx, channel, externalID)
		if isNotFound(err) {
			return nil // never wrote: no conversation to label
		}
		if err != nil {
			return err
		}
		convs, err := tx.ContactConversations(ctx, contact.ID)
		if err != nil {
			return err
		}
		now := h.clock.Now()
		for _, conv := range convs {
			if conv.Channel != channel {
				continue
			}
			live := false
			if online {
				if live, err = h.mayBeLive(ctx, tx, conv, now); err != nil {
					return err
				}
			}
			if live == conv.Live {
				continue
			}
			conv.Live, conv.UpdatedAt = live, now
			if err := tx.UpdateConversation(ctx, conv); err != nil {
				return err
			}
			c := conv
			if err := h.emit(ctx, tx, EventConversationUpdated, conv.ID, EventData{Conversation: &c}); err != nil {
				return err
			}
		}
		return nil
	})
}

// mayBeLive reports whether conv may carry the LIVE label now that its
// contact is present.
func (h *Hub) mayBeLive(ctx context.Context, tx Tx, conv Conversation, now time.Time) (bool, error) {
	if conv.Status == StatusResolved || conv.TrashedAt != nil || conv.FilterReason != "" {
		return false, nil
	}
	if conv.LastContactAt.IsZero() || now.Sub(conv.LastContactAt) > h.cfg.LiveTimeout {
		return false, nil
	}
	return h.hasFreeSlot(ctx, tx, conv)
}
