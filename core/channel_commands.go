package core

import (
	"context"
	"strings"

	"github.com/switchboard-hq/switchboard/core/command"
)

// Verifier is implemented by channels that verify a contact's email address
// with a code (a web chat). StartVerification mails a code to v.Email with
// v.Mailer and asks the contact for it; a correct code makes the channel
// record the address as verified (Hub.UpdateContactDetails).
type Verifier interface {
	StartVerification(ctx context.Context, v Verification) error
}

// Verification is an operator's $verify in a conversation.
type Verification struct {
	Conversation Conversation
	Contact      Contact
	// To is the contact's identity on the conversation's channel.
	To ContactRef
	// Email is the address to verify: the contact's.
	Email  string
	Mailer Mailer
}

// Transferer is implemented by channels a conversation of another channel
// can move into (a web chat). TransferLink returns a link at which the
// contact continues with the same history; the hub sends it to them in
// their current conversation.
type Transferer interface {
	TransferLink(ctx context.Context, t Transfer) (string, error)
}

// Transfer is an operator's $webtransfer in a conversation.
type Transfer struct {
	Conversation Conversation
	Contact      Contact
	Operator     Operator
}

// channelCommand runs $rating, $verify and $webtransfer through the channel
// interfaces that honour them, and refuses with the reason where none does.
// Only the assignee may run them. It returns the message it sent, if any.
func (h *Hub) channelCommand(ctx context.Context, actor Operator, conv Conversation, ch ChannelInfo, cmd command.Command) (*Message, error) {
	rater, canRate := ch.Adapter.(Rater)
	verifier, canVerify := ch.Adapter.(Verifier)
	target, transferer, canTransfer := h.transferTarget(conv)
	switch {
	case cmd.Name == command.Rating && (!canRate || !ch.Capabilities.Live),
		cmd.Name == command.Verify && (!canVerify || h.cfg.Mailer == nil):
		return nil, h.refuseCommand(ch, cmd)
	case cmd.Name == command.WebTransfer && !canTransfer:
		if _, own := ch.Adapter.(Transferer); own {
			return nil, Invalidf("this conversation is already in %s", ch.Capabilities.label(ch.Name))
		}
		return nil, h.refuseCommand(ch, cmd)
	}
	if err := canReply(actor, conv); err != nil {
		return nil, err
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return nil, err
	}
	switch cmd.Name {
	case command.Rating:
		return nil, rater.RequestRating(ctx, RatingRequest{Conversation: conv, To: contactRef(contact, conv.Channel), Operator: actor})
	case command.Verify:
		if contact.Email == "" {
			return nil, Invalidf("%s has no email address to verify; set one with $email first", contactLabel(contact))
		}
		return nil, verifier.StartVerification(ctx, Verification{
			Conversation: conv, Contact: contact, To: contactRef(contact, conv.Channel),
			Email: contact.Email, Mailer: h.cfg.Mailer,
		})
	}
	link, err := transferer.TransferLink(ctx, Transfer{Conversation: conv, Contact: contact, Operator: actor})
	if err != nil {
		return nil, err
	}
	m, err := h.Send(ctx, actor, conv.ID, Reply{
		Text: "You can continue this conversation in our " + strings.ToLower(target.Capabilities.label(target.Name)) + ": " + link,
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// transferTarget picks the channel a conversation moves into with
// $webtransfer: one that implements Transferer other than the
// conversation's own, preferring one routed to the conversation's group.
func (h *Hub) transferTarget(conv Conversation) (ChannelInfo, Transferer, bool) {
	var best ChannelInfo
	var bestT Transferer
	for _, c := range h.cfg.Channels {
		ch := h.channels[c.Name]
		t, ok := ch.Adapter.(Transferer)
		if !ok || ch.Name == conv.Channel {
			continue
		}
		if bestT == nil || (ch.Group != "" && ch.Group == conv.Group && best.Group != conv.Group) {
			best, bestT = ch, t
		}
	}
	return best, bestT, bestT != nil
}
