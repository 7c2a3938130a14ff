package core

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTextLen bounds the text of one message, in bytes.
const MaxTextLen = 64 << 10

// Receive stores one normalised inbound event and applies it to its
// conversation: a customer message finds or creates the contact and the
// conversation, routes a new conversation, and reactivates a resolved one;
// receipts, edits and deletions update the message they refer to.
//
// Receive returns only after the event is durably committed; the caller may
// then acknowledge it to the provider. The same (Channel, ProviderMessageID)
// again stores nothing and reports Duplicate with the first ids.
func (h *Hub) Receive(ctx context.Context, in Inbound) (Receipt, error) {
	ch, ok := h.channels[in.Channel]
	if !ok {
		return Receipt{}, Invalidf("no channel named %q", in.Channel)
	}
	if err := validateInbound(in); err != nil {
		return Receipt{}, err
	}
	if in.Kind == KindTyping {
		return Receipt{}, nil // ephemeral: nothing to store
	}
	in.Text = strings.ToValidUTF8(in.Text, "\uFFFD")
	for i, a := range in.Attachments {
		if ch.Capabilities.CheckAttachment(in.Channel, a) != nil {
			in.Attachments[i].Flagged = true
		}
	}
	var rcpt Receipt
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		switch in.Kind {
		case KindMessage, KindPostback, KindReaction:
			rcpt, err = h.receiveMessage(ctx, tx, ch, in)
		case KindEdit, KindDelete:
			rcpt, err = h.receiveChange(ctx, tx, in)
		case KindDelivered, KindRead, KindFailed:
			rcpt, err = h.receiveStatus(ctx, tx, in)
		}
		return err
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("receive %s message %q: %w", in.Channel, in.ProviderMessageID, err)
	}
	return rcpt, nil
}

func validateInbound(in Inbound) error {
	switch in.Kind {
	case KindMessage, KindPostback, KindReaction:
		if in.ProviderMessageID == "" {
			return Invalidf("inbound message without provider message id")
		}
		if in.Contact.ID == "" {
			return Invalidf("inbound message without contact id")
		}
		if in.Text == "" && len(in.Attachments) == 0 && in.Kind == KindMessage {
			return Invalidf("inbound message without text or attachments")
		}
	case KindEdit, KindDelete, KindDelivered, KindRead, KindFailed:
		if in.Target == "" {
			return Invalidf("inbound %s without target message id", in.Kind)
		}
	case KindTyping:
	default:
		return Invalidf("unknown inbound kind %q", in.Kind)
	}
	if len(in.Text) > MaxTextLen {
		return TooLargef("text is %d bytes; the limit is %d", len(in.Text), MaxTextLen)
	}
	if !utf8.ValidString(in.Contact.ID) {
		return Invalidf("contact id is not valid UTF-8")
	}
	return nil
}

func (h *Hub) receiveMessage(ctx context.Context, tx Tx, ch ChannelInfo, in Inbound) (Receipt, error) {
	if prev, err := tx.MessageByProviderID(ctx, in.Channel, in.ProviderMessageID); err == nil {
		conv, err := tx.Conversation(ctx, prev.ConversationID)
		if err != nil {
			return Receipt{}, err
		}
		return Receipt{MessageID: prev.ID, ConversationID: prev.ConversationID, ContactID: conv.ContactID, Duplicate: true}, nil
	} else if !isNotFound(err) {
		return Receipt{}, err
	}
	now := h.clock.Now()
	contact, err := h.contactFor(ctx, tx, in)
	if err != nil {
		return Receipt{}, err
	}
	conv, created, err := h.conversationFor(ctx, tx, ch, contact, in)
	if err != nil {
		return Receipt{}, err
	}
	text, masked := MaskCards(in.Text)
	sentAt := in.SentAt
	if sentAt.IsZero() {
		sentAt = now
	}
	msg := Message{
		ID: h.ids.New("msg"), ConversationID: conv.ID, Channel: in.Channel, Direction: DirectionIn,
		Kind: in.Kind, Text: text, Attachments: in.Attachments, ProviderMessageID: in.ProviderMessageID,
		ThreadKey: in.ThreadKey, Masked: masked, SentAt: sentAt, CreatedAt: now,
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return Receipt{}, err
	}

	before := conv
	conv.ContactWrote(now)
	if conv.AssigneeID != "" && conv.FilterReason == "" {
		free, err := h.hasFreeSlot(ctx, tx, conv)
		if err != nil {
			return Receipt{}, err
		}
		conv.Live = free
	}
	if created {
		if err := tx.InsertConversation(ctx, conv); err != nil {
			return Receipt{}, err
		}
	} else if err := tx.UpdateConversation(ctx, conv); err != nil {
		return Receipt{}, err
	}
	if err := h.messageEvents(ctx, tx, before, conv, msg, created); err != nil {
		return Receipt{}, err
	}
	if !created && conv.AssigneeID != "" && h.presence.get(conv.AssigneeID) != Online {
		if err := h.notify(ctx, tx, conv.AssigneeID, "message", conv.ID, "New message from "+contactLabel(contact)); err != nil {
			return Receipt{}, err
		}
	}
	return Receipt{MessageID: msg.ID, ConversationID: conv.ID, ContactID: contact.ID}, nil
}

// contactFor finds the contact behind in's identity, creating it on first
// contact, and fills in details the contact lacks.
func (h *Hub) contactFor(ctx context.Context, tx Tx, in Inbound) (Contact, error) {
	now := h.clock.Now()
	c, err := tx.ContactByIdentity(ctx, in.Channel, in.Contact.ID)
	if isNotFound(err) {
		c = Contact{
			ID: h.ids.New("ctc"), Name: in.Contact.Name, Email: in.Contact.Email, Phone: in.Contact.Phone,
			Verified:   in.Contact.Verified,
			Identities: []Identity{{Channel: in.Channel, ExternalID: in.Contact.ID, Verified: in.Contact.Verified}},
			CreatedAt:  now, UpdatedAt: now,
		}
		if c.Name == "" {
			c.Name = in.Contact.ID
		}
		return c, tx.InsertContact(ctx, c)
	}
	if err != nil {
		return Contact{}, err
	}
	changed := false
	fill := func(dst *string, v string) {
		if *dst == "" && v != "" {
			*dst, changed = v, true
		}
	}
	fill(&c.Email, in.Contact.Email)
	fill(&c.Phone, in.Contact.Phone)
	if in.Contact.Name != "" && c.Name == in.Contact.ID {
		c.Name, changed = in.Contact.Name, true
	}
	if changed {
		c.UpdatedAt = now
		return c, tx.UpdateContact(ctx, c)
	}
	return c, nil
}

// conversationFor returns the conversation a contact message belongs to: the
// contact's latest on this channel (resolved ones reactivate), or a new one,
// routed to an operator when one is available. It reports whether the
// conversation is new (and not yet inserted).
func (h *Hub) conversationFor(ctx context.Context, tx Tx, ch ChannelInfo, contact Contact, in Inbound) (Conversation, bool, error) {
	conv, err := h.hintedConversation(ctx, tx, contact, in)
	if isNotFound(err) && !in.NewConversation {
		conv, err = tx.ActiveConversation(ctx, contact.ID, in.Channel)
	}
	switch {
	case err == nil:
		if contact.Blocked && conv.FilterReason == "" {
			conv.FilterReason = "blocked"
		}
		if conv.Status == StatusResolved && conv.AssigneeID == "" {
			if op, ok, err := h.routeUnfiltered(ctx, tx, ch, conv); err != nil {
				return conv, false, err
			} else if ok {
				conv.AssigneeID = op.ID
			}
		}
		return conv, false, nil
	case !isNotFound(err):
		return conv, false, err
	}
	now := h.clock.Now()
	conv = Conversation{
		ID: h.ids.New("cnv"), ContactID: contact.ID, Channel: in.Channel, Status: StatusNew,
		Group: ch.Group, ThreadKey: in.ThreadKey, FilterReason: in.FilterReason,
		CreatedAt: now, UpdatedAt: now,
	}
	if contact.Blocked && conv.FilterReason == "" {
		conv.FilterReason = "blocked"
	}
	op, ok, err := h.routeUnfiltered(ctx, tx, ch, conv)
	if err != nil {
		return conv, true, err
	}
	if ok {
		conv.Assign(op.ID, now)
		h.presence.assigned(op.ID, now)
	}
	return conv, true, nil
}

// hintedConversation returns the conversation the adapter named, if it may
// take the message.
func (h *Hub) hintedConversation(ctx context.Context, tx Tx, contact Contact, in Inbound) (Conversation, error) {
	if in.ConversationID == "" {
		return Conversation{}, ErrNotFound
	}
	conv, err := tx.Conversation(ctx, in.ConversationID)
	if err != nil {
		return conv, err
	}
	if conv.ContactID != contact.ID || conv.Channel != in.Channel || conv.TrashedAt != nil {
		return Conversation{}, ErrNotFound
	}
	return conv, nil
}

func (h *Hub) routeUnfiltered(ctx context.Context, tx Tx, ch ChannelInfo, conv Conversation) (Operator, bool, error) {
	if conv.FilterReason != "" || conv.TrashedAt != nil {
		return Operator{}, false, nil
	}
	group := conv.Group
	if group == "" {
		group = ch.Group
	}
	return h.route(ctx, tx, group)
}

// messageEvents emits the events of a new message in conv.
func (h *Hub) messageEvents(ctx context.Context, tx Tx, before, conv Conversation, msg Message, created bool) error {
	c := conv
	if created {
		if err := h.emit(ctx, tx, EventConversationCreated, conv.ID, EventData{Conversation: &c}); err != nil {
			return err
		}
		if conv.AssigneeID != "" {
			if err := h.emit(ctx, tx, EventConversationAssigned, conv.ID, EventData{Conversation: &c, OperatorID: conv.AssigneeID}); err != nil {
				return err
			}
			if err := h.notify(ctx, tx, conv.AssigneeID, "assigned", conv.ID, "New conversation assigned to you"); err != nil {
				return err
			}
		}
	}
	m := msg
	if err := h.emit(ctx, tx, EventMessageCreated, conv.ID, EventData{Message: &m, Conversation: &c}); err != nil {
		return err
	}
	if !created && before.Status != conv.Status {
		return h.emit(ctx, tx, EventConversationStatusChanged, conv.ID, EventData{Conversation: &c, PreviousStatus: string(before.Status)})
	}
	if !created && (before.Live != conv.Live || before.AssigneeID != conv.AssigneeID || before.FilterReason != conv.FilterReason) {
		return h.emit(ctx, tx, EventConversationUpdated, conv.ID, EventData{Conversation: &c})
	}
	return nil
}

// receiveChange applies a contact's edit or deletion of an earlier message.
// A deleted message stays readable for operators, marked deleted.
func (h *Hub) receiveChange(ctx context.Context, tx Tx, in Inbound) (Receipt, error) {
	m, err := tx.MessageByProviderID(ctx, in.Channel, in.Target)
	if err != nil {
		return Receipt{}, err
	}
	now := h.clock.Now()
	if in.Kind == KindEdit {
		m.Text, m.Masked = MaskCards(in.Text)
		m.EditedAt = &now
	} else {
		m.DeletedAt = &now
	}
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return Receipt{}, err
	}
	if err := h.emit(ctx, tx, EventMessageUpdated, m.ConversationID, EventData{Message: &m}); err != nil {
		return Receipt{}, err
	}
	return Receipt{MessageID: m.ID, ConversationID: m.ConversationID}, nil
}

// receiveStatus applies a provider receipt to an outgoing message.
func (h *Hub) receiveStatus(ctx context.Context, tx Tx, in Inbound) (Receipt, error) {
	m, err := tx.MessageByProviderID(ctx, in.Channel, in.Target)
	if err != nil {
		return Receipt{}, err
	}
	next := map[Kind]DeliveryStatus{KindDelivered: DeliveryDelivered, KindRead: DeliveryRead, KindFailed: DeliveryFailed}[in.Kind]
	if m.Status == DeliveryFailed || (next != DeliveryFailed && next.Rank() <= m.Status.Rank()) {
		return Receipt{MessageID: m.ID, ConversationID: m.ConversationID}, nil
	}
	m.Status = next
	if next == DeliveryFailed {
		m.Error = in.Error
		if m.Error == "" {
			m.Error = "the provider reported the message as failed"
		}
	}
	if err := tx.UpdateMessage(ctx, m); err != nil {
		return Receipt{}, err
	}
	if err := h.emit(ctx, tx, EventMessageStatusChanged, m.ConversationID, EventData{Message: &m}); err != nil {
		return Receipt{}, err
	}
	return Receipt{MessageID: m.ID, ConversationID: m.ConversationID}, nil
}

func contactLabel(c Contact) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
