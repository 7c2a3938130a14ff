package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core/command"
)

// Transcript is a conversation as RenderTranscript renders it.
type Transcript struct {
	Conversation Conversation
	Contact      Contact
	// Messages is the conversation's transcript in order; notes in it are
	// left out.
	Messages []Message
	// Operators names operators by id; an author not in it shows as
	// "Operator".
	Operators map[string]string
	// Channel labels the conversation's channel ("Email", "Web chat").
	Channel string
}

// RenderTranscript renders a conversation as plain text for mail: a heading,
// then every message but internal notes with its time (UTC) and author, its
// files named, messages the contact deleted and messages that could not be
// delivered marked as such.
func RenderTranscript(t Transcript) string {
	var b strings.Builder
	contact := contactLabel(t.Contact)
	fmt.Fprintf(&b, "Conversation with %s\n", contact)
	if t.Channel != "" {
		fmt.Fprintf(&b, "Channel: %s\n", t.Channel)
	}
	if t.Conversation.Topic != "" {
		fmt.Fprintf(&b, "Topic: %s\n", t.Conversation.Topic)
	}
	if !t.Conversation.CreatedAt.IsZero() {
		fmt.Fprintf(&b, "Started: %s\n", transcriptTime(t.Conversation.CreatedAt))
	}
	for _, m := range t.Messages {
		if m.Note {
			continue
		}
		author := contact
		if m.Direction == DirectionOut {
			author = "Operator"
			if name := t.Operators[m.Author]; name != "" {
				author = name
			}
		}
		at := m.SentAt
		if at.IsZero() {
			at = m.CreatedAt
		}
		fmt.Fprintf(&b, "\n[%s] %s", transcriptTime(at), author)
		switch {
		case m.DeletedAt != nil:
			b.WriteString(" (deleted)")
		case m.Status == DeliveryFailed:
			b.WriteString(" (not delivered)")
		}
		b.WriteString(":\n")
		if text := strings.TrimSpace(m.Text); text != "" {
			b.WriteString(text + "\n")
		}
		for _, a := range m.Attachments {
			fmt.Fprintf(&b, "[file: %s, %s]\n", a.Filename, byteSize(a.Size))
		}
	}
	return b.String()
}

func transcriptTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// transcriptState is the state namespace of $send requests waiting for
// their conversation to be resolved; no channel can have this name.
const transcriptState = "$transcripts"

// pendingTranscript is one waiting $send.
type pendingTranscript struct {
	To string `json:"to"`
	By string `json:"by"` // operator id
}

// transcriptTimeout bounds the mailing of a transcript when a conversation
// is resolved, so that resolving never waits long on a mail server.
const transcriptTimeout = 30 * time.Second

// transcriptCommand runs $send (the transcript to the contact, now if the
// conversation is resolved, else once it is) and $dispatch <address> (the
// transcript to that address, now). It needs a Mailer; without one it is
// refused with the reason. It returns the note it added to say what was
// done.
func (h *Hub) transcriptCommand(ctx context.Context, actor Operator, conv Conversation, ch ChannelInfo, cmd command.Command) (*Message, error) {
	if h.cfg.Mailer == nil {
		return nil, h.refuseCommand(ch, cmd)
	}
	if err := canManage(actor, conv); err != nil {
		return nil, err
	}
	if cmd.Name == command.Dispatch {
		if err := h.mailTranscript(ctx, conv, cmd.Arg); err != nil {
			return nil, err
		}
		return h.transcriptNote(ctx, actor, conv.ID, "Transcript mailed to "+cmd.Arg)
	}
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return nil, err
	}
	if contact.Email == "" {
		return nil, Invalidf("%s has no email address; set one with $email first", contactLabel(contact))
	}
	if conv.Status == StatusResolved {
		if err := h.mailTranscript(ctx, conv, contact.Email); err != nil {
			return nil, err
		}
		return h.transcriptNote(ctx, actor, conv.ID, "Transcript mailed to "+contact.Email)
	}
	b, _ := json.Marshal(pendingTranscript{To: contact.Email, By: actor.ID})
	if err := StoreState(h.store, transcriptState).Put(ctx, conv.ID, b); err != nil {
		return nil, err
	}
	return h.transcriptNote(ctx, actor, conv.ID, "The transcript will be mailed to "+contact.Email+" when the conversation is resolved")
}

// mailTranscript mails conv's transcript to one address.
func (h *Hub) mailTranscript(ctx context.Context, conv Conversation, to string) error {
	contact, err := h.store.Contact(ctx, conv.ContactID)
	if err != nil {
		return err
	}
	msgs, err := h.store.Messages(ctx, conv.ID)
	if err != nil {
		return err
	}
	ops, err := h.store.Operators(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(ops))
	for _, o := range ops {
		names[o.ID] = o.Name
	}
	label := ""
	if ch, ok := h.channels[conv.Channel]; ok {
		label = ch.Capabilities.label(ch.Name)
	}
	text := RenderTranscript(Transcript{Conversation: conv, Contact: contact, Messages: msgs, Operators: names, Channel: label})
	err = h.cfg.Mailer.SendMail(ctx, Mail{To: []string{to}, Subject: "Transcript of your conversation with " + contactLabel(contact), Text: text})
	if err != nil {
		return fmt.Errorf("mail the transcript to %s: %w", to, err)
	}
	return nil
}

func (h *Hub) transcriptNote(ctx context.Context, actor Operator, convID, text string) (*Message, error) {
	m, err := h.Send(ctx, actor, convID, Reply{Text: text, Note: true})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// sendPendingTranscript mails the transcript a $send asked for, now that
// conv is resolved, and notes the outcome in the conversation. A failure is
// noted and logged, and the request kept for the next resolution.
func (h *Hub) sendPendingTranscript(ctx context.Context, conv Conversation) {
	if h.cfg.Mailer == nil || conv.Status != StatusResolved {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), transcriptTimeout)
	defer cancel()
	st := StoreState(h.store, transcriptState)
	b, err := st.Get(ctx, conv.ID)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			h.log.Warn("pending transcript", "conversation", conv.ID, "err", err)
		}
		return
	}
	var p pendingTranscript
	if err := json.Unmarshal(b, &p); err != nil || p.To == "" {
		_ = st.Delete(ctx, conv.ID)
		return
	}
	note := "Transcript mailed to " + p.To
	if err := h.mailTranscript(ctx, conv, p.To); err != nil {
		h.log.Warn("transcript not mailed", "conversation", conv.ID, "err", err)
		note = "The transcript could not be mailed to " + p.To + ": " + err.Error()
	} else if err := st.Delete(ctx, conv.ID); err != nil {
		h.log.Warn("pending transcript", "conversation", conv.ID, "err", err)
	}
	if by, err := h.store.Operator(ctx, p.By); err == nil {
		if _, err := h.transcriptNote(ctx, by, conv.ID, note); err != nil {
			h.log.Warn("transcript note", "conversation", conv.ID, "err", err)
		}
	}
}
