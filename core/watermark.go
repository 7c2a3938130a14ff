package core

import (
	"context"
	"fmt"
	"time"
)

// Watermark is a receipt that covers operator messages instead of naming
// them: every message the channel sent to one contact at or before Until has
// reached Kind. Facebook Messenger reports reads this way (message_reads
// carries only a watermark), and deliveries too when it lists no ids.
type Watermark struct {
	Channel string // channel instance name
	// Kind is KindDelivered or KindRead.
	Kind Kind
	// Contact is the contact's provider id on the channel (ContactRef.ID).
	Contact string
	// Until is the provider's watermark.
	Until time.Time
}

// ReceiveWatermark applies w to the contact's outgoing messages on the
// channel: each one the provider accepted (sent or delivered) and written at
// or before w.Until moves to w's status, never backwards, with a
// message.status_changed event. Notes, pending and failed messages are left
// alone. It reports how many messages changed; an unknown contact changes
// none. Like Receive, it returns only after the change is durably committed,
// and applying the same watermark twice changes nothing the second time.
//
// A message is matched by when the operator wrote it (Message.SentAt), so
// one that waited in the outbox past the watermark would be marked as well;
// providers report watermarks after the fact, which makes that rare.
func (h *Hub) ReceiveWatermark(ctx context.Context, w Watermark) (int, error) {
	if _, ok := h.channels[w.Channel]; !ok {
		return 0, Invalidf("no channel named %q", w.Channel)
	}
	next, ok := map[Kind]DeliveryStatus{KindDelivered: DeliveryDelivered, KindRead: DeliveryRead}[w.Kind]
	if !ok {
		return 0, Invalidf("a watermark is %s or %s, not %q", KindDelivered, KindRead, w.Kind)
	}
	if w.Contact == "" || w.Until.IsZero() {
		return 0, Invalidf("a watermark needs a contact id and a time")
	}
	var changed int
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		changed = 0
		contact, err := tx.ContactByIdentity(ctx, w.Channel, w.Contact)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		convs, err := tx.ContactConversations(ctx, contact.ID)
		if err != nil {
			return err
		}
		for _, conv := range convs {
			if conv.Channel != w.Channel {
				continue
			}
			n, err := h.applyWatermark(ctx, tx, conv.ID, next, w.Until)
			if err != nil {
				return err
			}
			changed += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("receive %s watermark of %s on %s: %w", w.Kind, w.Contact, w.Channel, err)
	}
	return changed, nil
}

// applyWatermark moves the accepted outgoing messages of one conversation
// written at or before until to status next.
func (h *Hub) applyWatermark(ctx context.Context, tx Tx, conversationID string, next DeliveryStatus, until time.Time) (int, error) {
	msgs, err := tx.Messages(ctx, conversationID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range msgs {
		if m.Direction != DirectionOut || m.Note || m.SentAt.After(until) {
			continue
		}
		if (m.Status != DeliverySent && m.Status != DeliveryDelivered) || next.Rank() <= m.Status.Rank() {
			continue
		}
		m.Status = next
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return n, err
		}
		if err := h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
