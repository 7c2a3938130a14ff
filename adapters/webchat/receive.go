package webchat

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// typingEvery is how often a visitor still typing is reported again.
const typingEvery = 3 * time.Second

// handle acts on one frame of the visitor's.
func (s *session) handle(ctx context.Context, f Frame) {
	switch f := f.(type) {
	case MessageFrame:
		s.message(ctx, f)
	case TypingFrame:
		s.typingFrame(ctx, f.Typing)
	case AckFrame:
		s.ack(ctx, f)
	case PageFrame:
		s.pageView(ctx, f.Page)
	case RateFrame:
		s.rate(ctx, f)
	case EmailFrame:
		s.leaveEmail(ctx, f.Email)
	case CodeFrame:
		s.checkCode(ctx, f.Code)
	case PingFrame:
		s.reply(outFrame{data: []byte(`{"type":"pong"}`)})
	case HelloFrame:
		s.reply(errorFrame("bad_frame", "hello was already sent on this connection", ""))
	}
}

// message stores a visitor message through the hub and confirms it once it
// is durable; the visitor's other tabs get it too. The provider id is the
// visitor id and the widget's own id, so a resend after a reconnect is a
// duplicate, and no visitor can collide with another's ids.
func (s *session) message(ctx context.Context, f MessageFrame) {
	a := s.a
	if !s.bucket.take(a.now()) {
		s.reply(errorFrame("slow_down", "You are sending messages too fast; wait a moment.", f.ID))
		return
	}
	atts, err := a.attachments(s.visitor, f.Files)
	if err != nil {
		s.reply(errorFrame("file_refused", err.Error(), f.ID))
		return
	}
	in := core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: core.KindMessage,
		ProviderMessageID: s.visitor + "/" + f.ID, Contact: s.ref,
		Text: f.Text, Attachments: atts, SentAt: a.now(),
		NewConversation: s.timedOut(ctx),
	}
	rcpt, err := a.recv.Receive(ctx, in)
	if err != nil {
		if isRefusal(err) {
			s.reply(errorFrame("refused", err.Error(), f.ID))
			return
		}
		a.log.Error("visitor message not stored", "visitor", s.visitor, "err", err)
		s.reply(errorFrame("unavailable", "The message could not be sent; it will be retried.", f.ID))
		return
	}
	first := s.contactID == ""
	s.contactID = rcpt.ContactID
	s.own(rcpt.ConversationID)
	s.typing = false
	m, err := a.hub().Store().Message(ctx, rcpt.MessageID)
	if err != nil {
		a.log.Warn("stored visitor message not read back", "message", rcpt.MessageID, "err", err)
		m = core.Message{ID: rcpt.MessageID, ConversationID: rcpt.ConversationID, Direction: core.DirectionIn,
			Kind: core.KindMessage, Text: f.Text, Attachments: atts, CreatedAt: a.now()}
	}
	v := a.view(ctx, m)
	s.reply(outFrame{msgID: m.ID, data: encode(sentEvent{Type: "sent", ID: f.ID, Message: v})})
	if !rcpt.Duplicate {
		a.reg.push(s.visitor, outFrame{msgID: m.ID, data: encode(messageEvent{Type: "message", Message: v})}, s.c)
	}
	if first {
		s.pageView(ctx, s.page) // now there is a contact to record it on
	}
}

// timedOut reports whether the visitor's next message starts a new
// conversation: their latest one here has been quiet for the widget's
// conversation timeout.
func (s *session) timedOut(ctx context.Context) bool {
	timeout := s.a.cfg.ConversationTimeout
	if timeout <= 0 || s.contactID == "" {
		return false
	}
	convs, err := s.a.hub().Store().ContactConversations(ctx, s.contactID)
	if err != nil {
		return false
	}
	for _, c := range convs { // newest first
		if c.Channel != s.a.name || c.TrashedAt != nil {
			continue
		}
		last := c.LastMessageAt
		if last.IsZero() {
			last = c.CreatedAt
		}
		return s.a.now().Sub(last) > timeout
	}
	return false
}

// typingFrame passes the visitor's typing on to the hub, at most once every
// typingEvery while they keep typing.
func (s *session) typingFrame(ctx context.Context, typing bool) {
	now := s.a.now()
	if typing && s.typing && now.Sub(s.typingAt) < typingEvery {
		return
	}
	if !typing && !s.typing {
		return
	}
	s.typing, s.typingAt = typing, now
	text := ""
	if typing {
		text = "typing"
	}
	_, err := s.a.recv.Receive(ctx, core.Inbound{
		Channel: s.a.name, ChannelType: Type, Kind: core.KindTyping, Contact: s.ref, Text: text, SentAt: now,
	})
	if err != nil {
		s.a.log.Debug("visitor typing", "visitor", s.visitor, "err", err)
	}
}

// ack turns the widget's acknowledgements into delivered and read receipts
// for the operator messages of the visitor's own conversations; ids of
// anything else are ignored.
func (s *session) ack(ctx context.Context, f AckFrame) {
	a := s.a
	kind, status := core.KindDelivered, core.DeliveryDelivered
	if f.Read {
		kind, status = core.KindRead, core.DeliveryRead
	}
	var ids []string
	for _, id := range f.IDs {
		m, err := a.hub().Store().Message(ctx, id)
		if err != nil || m.Channel != a.name || m.Direction != core.DirectionOut || m.Note {
			continue
		}
		if !s.owns(ctx, m.ConversationID) {
			a.log.Info("visitor acknowledged a message not theirs", "visitor", s.visitor, "message", id)
			continue
		}
		// Only receipts the hub lacks: never for a failed message, never
		// "delivered" after "read".
		if m.Status != core.DeliveryFailed && m.Status.Rank() < status.Rank() {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) > 0 {
		a.background(func(ctx context.Context) error { return a.receipts(ctx, kind, ids) })
	}
}

// receipts hands receipts to the hub. The widget may acknowledge a message
// before the hub recorded that it was sent (and under which provider id), so
// a receipt for a message the hub cannot find yet is retried for a while.
func (a *Adapter) receipts(ctx context.Context, kind core.Kind, ids []string) error {
	wait := 100 * time.Millisecond
	for attempt := 0; len(ids) > 0; attempt++ {
		var later []string
		for _, id := range ids {
			_, err := a.recv.Receive(ctx, core.Inbound{Channel: a.name, ChannelType: Type, Kind: kind, Target: id, SentAt: a.now()})
			switch {
			case err == nil:
			case errors.Is(err, core.ErrNotFound) && attempt < 8:
				later = append(later, id)
			default:
				return err
			}
		}
		if ids = later; len(ids) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait *= 2
	}
	return nil
}

// leaveEmail records an address the visitor left, typically while no
// operator is online. It fills in a contact without one; until the visitor
// has written it travels with their messages.
func (s *session) leaveEmail(ctx context.Context, email string) {
	s.ref.Email = email
	if s.contactID != "" {
		if _, err := s.a.hub().UpdateContactDetails(ctx, s.contactID, core.ContactDetails{Email: email}); err != nil {
			s.reply(errorFrame("refused", err.Error(), ""))
			return
		}
	}
	s.reply(outFrame{data: []byte(`{"type":"email_saved"}`)})
}
