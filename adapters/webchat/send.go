package webchat

import (
	"context"
	"errors"

	"github.com/switchboard-hq/switchboard/core"
)

// Send pushes an operator message to every live socket of the visitor and
// succeeds whether or not they are connected: the hub stored the message,
// and a widget that connects later gets it from the store. The provider id
// is the message id, which widgets acknowledge (see the package comment for
// what sent, delivered and read mean). A push macro is sent only to a
// visitor who is online; CheckSend refuses it before it is queued.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if err := ctx.Err(); err != nil {
		return core.SendReceipt{}, err
	}
	if out.MessageID == "" || out.To.ID == "" {
		return core.SendReceipt{}, core.Permanent(errors.New("web chat message without message id or visitor"))
	}
	if _, push := parsePush(out.Text); push && !a.reg.online(out.To.ID) {
		return core.SendReceipt{}, core.Permanent(a.offlineError("push a page"))
	}
	m := core.Message{
		ID: out.MessageID, ConversationID: out.ConversationID, Channel: a.name, Direction: core.DirectionOut,
		Kind: core.KindMessage, Text: out.Text, Attachments: out.Attachments, Author: out.Operator,
		Status: core.DeliverySent, CreatedAt: a.now(),
	}
	frame := outFrame{msgID: m.ID, data: encode(messageEvent{Type: "message", Message: a.view(ctx, m)})}
	a.sent.add(m.ID, a.now()) // before the push: see Adapter.visible
	a.reg.push(out.To.ID, frame, nil)
	return core.SendReceipt{ProviderMessageID: out.MessageID}, nil
}

// Delete shows the visitor's widgets that an operator message was deleted:
// they replace it with a "message deleted" marker. A widget offline now
// learns it on reconnect, from the message's deletion time in the store.
func (a *Adapter) Delete(ctx context.Context, m core.Message, to core.ContactRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if to.ID == "" {
		return core.Permanent(errors.New("web chat deletion without visitor"))
	}
	a.deleted.add(m.ID, a.now()) // until the hub records the deletion
	a.reg.push(to.ID, outFrame{data: encode(idEvent{Type: "deleted", ID: m.ID})}, nil)
	return nil
}

// NotifyTyping shows the visitor's widgets that the operator is typing. A
// socket that is behind skips it.
func (a *Adapter) NotifyTyping(ctx context.Context, t core.Typing) error {
	if t.To.ID == "" {
		return nil
	}
	a.reg.push(t.To.ID, outFrame{droppable: true, data: encode(typingEvent{Type: "typing", Typing: t.Typing, Operator: t.OperatorName})}, nil)
	return nil
}

// CheckSend refuses, before anything is queued, a push macro to a visitor
// who is not online: it would open a page nobody is looking at.
func (a *Adapter) CheckSend(ctx context.Context, c core.SendCheck) error {
	if _, push := parsePush(c.Text); push && !a.reg.online(c.To.ID) {
		return a.offlineError("push a page")
	}
	return nil
}

// offlineError is the refusal of what needs the visitor online.
func (a *Adapter) offlineError(what string) error {
	return &core.CapabilityError{Channel: a.name, Capability: "live",
		Reason: "The visitor is not in the web chat right now, so it cannot " + what + "; try again when they are online"}
}
