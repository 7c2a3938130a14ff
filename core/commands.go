package core

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard-hq/switchboard/core/command"
)

// IsCommand reports whether composer text is an operator command ($name or
// !macro) rather than a message.
func IsCommand(text string) bool { return command.IsCommand(text) }

// CommandResult is what an executed command changed.
type CommandResult struct {
	Command      string        `json:"command"`
	Message      *Message      `json:"message,omitempty"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Contact      *Contact      `json:"contact,omitempty"`
}

// Execute runs an operator command typed in a conversation's composer. A
// command the channel cannot honour is refused with the reason; nothing is
// changed then.
func (h *Hub) Execute(ctx context.Context, actor Operator, conversationID, text string) (CommandResult, error) {
	cmd, err := command.Parse(text)
	if err != nil {
		var pe *command.ParseError
		if errors.As(err, &pe) {
			return CommandResult{}, Invalidf("%s", pe.Reason)
		}
		return CommandResult{}, Invalidf("%v", err)
	}
	conv, err := h.store.Conversation(ctx, conversationID)
	if err != nil {
		return CommandResult{}, err
	}
	ch, err := h.Channel(conv.Channel)
	if err != nil {
		return CommandResult{}, err
	}
	res := CommandResult{Command: cmd.String()}
	contactPatch := func(p ContactPatch) error {
		c, err := h.UpdateContact(ctx, actor, conv.ContactID, p)
		res.Contact = &c
		return err
	}
	convChange := func(c Conversation, err error) error {
		res.Conversation = &c
		return err
	}
	message := func(m Message, err error) error {
		res.Message = &m
		return err
	}
	arg := cmd.Arg
	switch cmd.Name {
	case command.SetName:
		err = contactPatch(ContactPatch{Name: &arg})
	case command.SetEmail:
		err = contactPatch(ContactPatch{Email: &arg})
	case command.SetLocale:
		err = contactPatch(ContactPatch{Locale: &arg})
	case command.Block, command.Unblock:
		blocked := cmd.Name == command.Block
		err = contactPatch(ContactPatch{Blocked: &blocked})
	case command.Note:
		err = message(h.Send(ctx, actor, conv.ID, Reply{Text: arg, Note: true}))
	case command.SetTopic:
		err = convChange(h.SetTopic(ctx, actor, conv.ID, arg))
	case command.SetStatus:
		s, perr := ParseStatus(arg)
		if perr != nil {
			return res, perr
		}
		err = convChange(h.SetStatus(ctx, actor, conv.ID, s))
	case command.Forward:
		err = h.forward(ctx, actor, conv, cmd, convChange)
	case command.Macro:
		m, merr := h.store.MacroByName(ctx, arg)
		if isNotFound(merr) {
			return res, NotFoundf("no macro named !%s", arg)
		}
		if merr != nil {
			return res, merr
		}
		err = message(h.Send(ctx, actor, conv.ID, Reply{Text: m.Text}))
	case command.Rating, command.Verify, command.WebTransfer:
		res.Message, err = h.channelCommand(ctx, actor, conv, ch, cmd)
	case command.Send, command.Dispatch:
		res.Message, err = h.transcriptCommand(ctx, actor, conv, ch, cmd)
	default:
		err = h.refuseCommand(ch, cmd)
	}
	return res, err
}

func (h *Hub) forward(ctx context.Context, actor Operator, conv Conversation, cmd command.Command, done func(Conversation, error) error) error {
	if cmd.Group {
		return done(h.Assign(ctx, actor, conv.ID, Assignment{Group: cmd.Arg}))
	}
	ops, err := h.store.Operators(ctx)
	if err != nil {
		return err
	}
	var match []Operator
	for _, o := range ops {
		if strings.EqualFold(o.Email, cmd.Arg) || strings.EqualFold(o.Name, cmd.Arg) || o.ID == cmd.Arg {
			match = append(match, o)
		}
	}
	switch len(match) {
	case 0:
		return NotFoundf("no operator %q; use their email address or full name", cmd.Arg)
	case 1:
		return done(h.Assign(ctx, actor, conv.ID, Assignment{OperatorID: match[0].ID}))
	}
	return Invalidf("%d operators are called %q; use the email address", len(match), cmd.Arg)
}

// refuseCommand explains why a command no configured channel can honour yet
// is refused, using the conversation channel's capabilities where they
// decide.
func (h *Hub) refuseCommand(ch ChannelInfo, cmd command.Command) error {
	switch cmd.Name {
	case command.Rating:
		if err := ch.Capabilities.CheckLive(ch.Name, "ask the contact for a rating"); err != nil {
			return err
		}
		return Unsupportedf("$rating needs the contact online in a live chat; this hub cannot prompt for ratings yet")
	case command.Verify:
		if ch.Capabilities.Verification == "" || ch.Capabilities.Verification == "external" {
			return &CapabilityError{Channel: ch.Name, Capability: "verify",
				Reason: ch.Capabilities.label(ch.Name) + " cannot verify a contact: the connected system decides who is verified"}
		}
		return Unsupportedf("$verify needs an email sender for verification codes; none is configured")
	case command.WebTransfer:
		return Unsupportedf("$webtransfer needs a web chat channel to continue in; none is configured")
	case command.Send, command.Dispatch:
		return Unsupportedf("$%s needs an email channel to send transcripts; none is configured", cmd.Name)
	}
	return Unsupportedf("$%s is not supported", cmd.Name)
}
