package core

import (
	"context"
	"encoding/json"
	"fmt"
)

// Deliver sends a queued operator message through its channel and records
// the outcome. The bus calls it for every record of an outbound topic,
// at least once; attempt counts from 1.
//
// A message no longer pending (sent before a crash, or failed) is not sent
// again. A permanent refusal marks the message failed with the provider's
// reason and returns nil; any other error is recorded as the last error and
// returned so the bus retries.
func (h *Hub) Deliver(ctx context.Context, payload []byte) error {
	var d Delivery
	if err := json.Unmarshal(payload, &d); err != nil || d.MessageID == "" {
		return Permanent(fmt.Errorf("decode delivery %q: %w", payload, err))
	}
	m, err := h.store.Message(ctx, d.MessageID)
	if isNotFound(err) {
		return nil // erased while queued
	}
	if err != nil {
		return err
	}
	if m.Status != DeliveryPending {
		return nil
	}
	ch, ok := h.channels[m.Channel]
	if !ok || ch.Adapter == nil {
		return h.recordDelivery(ctx, m.ID, SendReceipt{}, Permanent(fmt.Errorf("channel %q is not configured", m.Channel)))
	}
	out, err := h.outbound(ctx, m)
	if err != nil {
		return err
	}
	rcpt, sendErr := ch.Adapter.Send(ctx, out)
	return h.recordDelivery(ctx, m.ID, rcpt, sendErr)
}

// outbound builds what the adapter needs to send m.
func (h *Hub) outbound(ctx context.Context, m Message) (Outbound, error) {
	conv, err := h.store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return Outbound{}, err
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return Outbound{}, err
	}
	to := contactRef(contact, m.Channel)
	key := m.IdempotencyKey
	if key == "" {
		key = m.ID
	}
	return Outbound{
		MessageID: m.ID, ConversationID: m.ConversationID, Channel: m.Channel, To: to, Text: m.Text,
		Attachments: m.Attachments, IdempotencyKey: key, Operator: m.Author, Attempt: m.Attempts + 1,
		LastContactAt: conv.LastContactAt,
	}, nil
}

// contactRef is how channel knows contact.
func contactRef(c Contact, channel string) ContactRef {
	to := ContactRef{Name: c.Name, Email: c.Email, Phone: c.Phone, Verified: c.Verified}
	for _, id := range c.Identities {
		if id.Channel == channel {
			to.ID = id.ExternalID
			to.Verified = to.Verified || id.Verified
		}
	}
	return to
}

// recordDelivery stores the outcome of one send attempt and returns the
// error the bus should see.
func (h *Hub) recordDelivery(ctx context.Context, id string, rcpt SendReceipt, sendErr error) error {
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		m, err := tx.Message(ctx, id)
		if err != nil {
			return err
		}
		m.Attempts++
		switch {
		case sendErr == nil:
			m.Status, m.Error, m.ProviderMessageID = DeliverySent, "", rcpt.ProviderMessageID
		case IsPermanent(sendErr):
			m.Status, m.Error = DeliveryFailed, sendErr.Error()
		default:
			m.Error = sendErr.Error()
		}
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if m.Status == DeliveryPending {
			return nil
		}
		if m.Status == DeliveryFailed {
			if err := h.notify(ctx, tx, m.Author, "failed", m.ConversationID, "A message could not be delivered: "+m.Error); err != nil {
				return err
			}
		}
		return h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m})
	})
	if err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	if sendErr != nil && !IsPermanent(sendErr) {
		return sendErr
	}
	return nil
}

// Poison keeps a bus message that could not be handled so operators can see
// and re-drive it. A poisoned delivery marks its message failed with the
// reason: it is never shown as sent.
func (h *Hub) Poison(ctx context.Context, p Poisoned) error {
	if p.ID == "" {
		p.ID = h.ids.New("psn")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = h.clock.Now()
	}
	if p.MessageID == "" {
		var d Delivery
		if json.Unmarshal(p.Payload, &d) == nil {
			p.MessageID = d.MessageID
		}
	}
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.InsertPoisoned(ctx, p); err != nil {
			return err
		}
		if p.MessageID == "" {
			return nil
		}
		m, err := tx.Message(ctx, p.MessageID)
		if isNotFound(err) || (err == nil && m.Status != DeliveryPending) {
			return nil
		}
		if err != nil {
			return err
		}
		m.Status = DeliveryFailed
		m.Error = fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, p.Reason)
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m})
	})
}

// Redrive queues a poisoned bus message again. A failed message goes back to
// pending with its attempts kept.
func (h *Hub) Redrive(ctx context.Context, actor Operator, poisonedID string) error {
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		p, err := tx.PoisonedByID(ctx, poisonedID)
		if err != nil {
			return err
		}
		if err := tx.DeletePoisoned(ctx, p.ID); err != nil {
			return err
		}
		if p.MessageID != "" {
			m, err := tx.Message(ctx, p.MessageID)
			if err == nil && m.Status == DeliveryFailed {
				m.Status, m.Error = DeliveryPending, ""
				if err := tx.UpdateMessage(ctx, m); err != nil {
					return err
				}
				if err := h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m}); err != nil {
					return err
				}
			}
		}
		h.log.Info("re-drive", "topic", p.Topic, "poisoned", p.ID, "by", actor.ID)
		return tx.Enqueue(ctx, OutboxRecord{Topic: p.Topic, Key: p.Key, Payload: p.Payload, CreatedAt: h.clock.Now()})
	})
}

// Retry queues a failed operator message again (the inbox's retry action).
func (h *Hub) Retry(ctx context.Context, actor Operator, messageID string) (Message, error) {
	var m Message
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if m, err = tx.Message(ctx, messageID); err != nil {
			return err
		}
		conv, err := tx.Conversation(ctx, m.ConversationID)
		if err != nil {
			return err
		}
		if err := canReply(actor, conv); err != nil {
			return err
		}
		if m.Status != DeliveryFailed {
			return Conflictf("only failed messages can be retried; this one is %s", m.Status)
		}
		m.Status, m.Error = DeliveryPending, ""
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if err := h.enqueueDelivery(ctx, tx, m); err != nil {
			return err
		}
		return h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m})
	})
	return m, err
}

// LogEventDelivery records one attempt to deliver an event to an external
// webhook, for the delivery log the API shows.
func (h *Hub) LogEventDelivery(ctx context.Context, d EventDelivery) error {
	if d.At.IsZero() {
		d.At = h.clock.Now()
	}
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return tx.InsertEventDelivery(ctx, d)
	})
}
