package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// maxReferences bounds the References of a reply: the thread's first id and
// the most recent ones (RFC 5322 §3.6.4 allows trimming the middle).
const maxReferences = 20

// Send mails an operator reply to the contact. The mail's Message-ID is
// <MessageID@message_id_domain>, the same on every attempt, and is returned
// as the provider message id; In-Reply-To and References name the
// conversation's earlier mails so the customer's client threads it; the
// subject is "Re: " and the conversation's first subject; Reply-To is the
// conversation's reply address when reply_domain is set. Errors follow
// core.Channel: a contact without an address or an SMTP 5xx is permanent.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if out.MessageID == "" {
		return core.SendReceipt{}, core.Permanent(errors.New("outbound message has no id"))
	}
	to, err := recipient(out.To)
	if err != nil {
		return core.SendReceipt{}, core.Permanent(err)
	}
	id := out.MessageID + "@" + a.cfg.MessageIDDomain
	th, err := a.replyHeaders(ctx, out.ConversationID)
	if err != nil {
		return core.SendReceipt{}, err
	}
	replyTo, err := a.replyAddress(ctx, out.ConversationID)
	if err != nil {
		return core.SendReceipt{}, err
	}
	files, err := a.readFiles(ctx, out.Attachments)
	if err != nil {
		return core.SendReceipt{}, err
	}
	raw, err := outgoing{
		From: a.from, To: []*mail.Address{to}, ReplyTo: replyTo, Subject: th.subject,
		MessageID: id, InReplyTo: th.inReplyTo, References: th.references, Date: a.now(),
		Text: out.Text, Files: files,
	}.bytes()
	if err != nil {
		return core.SendReceipt{}, core.Permanent(fmt.Errorf("compose mail: %w", err))
	}
	if err := a.sendSMTP(ctx, a.from.Address, []string{to.Address}, raw); err != nil {
		a.log.WarnContext(ctx, "reply not sent", "message", out.MessageID, "attempt", out.Attempt,
			"permanent", core.IsPermanent(err), "err", err)
		return core.SendReceipt{}, err
	}
	return core.SendReceipt{ProviderMessageID: id}, nil
}

// recipient is the contact's address: their id on this channel, else the
// email address on their profile.
func recipient(to core.ContactRef) (*mail.Address, error) {
	for _, s := range []string{to.ID, to.Email} {
		if a, err := mail.ParseAddress(s); err == nil && s != "" {
			if to.Name != "" && !strings.EqualFold(to.Name, a.Address) {
				a.Name = to.Name
			}
			return a, nil
		}
	}
	return nil, fmt.Errorf("the contact has no email address (%q)", to.ID)
}

// threadHeaders are the threading headers and subject of a reply.
type threadHeaders struct {
	subject    string
	inReplyTo  string
	references []string
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|sv|antw)\s*:`)

// replyHeaders builds a reply's headers from the conversation: In-Reply-To
// is the customer's latest mail, References every mail received or sent in
// it (trimmed), the subject "Re: " and the conversation's first subject.
func (a *Adapter) replyHeaders(ctx context.Context, conversationID string) (threadHeaders, error) {
	var th threadHeaders
	rec, err := a.conversation(ctx, conversationID)
	if err != nil {
		return th, err
	}
	th.subject = a.cfg.Subject
	if rec.Subject != "" {
		th.subject = rec.Subject
		if !replyPrefix.MatchString(th.subject) {
			th.subject = "Re: " + th.subject
		}
	}
	st := a.store()
	if st == nil || conversationID == "" {
		return th, nil
	}
	msgs, err := st.Messages(ctx, conversationID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return th, fmt.Errorf("conversation %s: %w", conversationID, err)
	}
	var ids []string
	for _, m := range msgs {
		if m.Note || m.ProviderMessageID == "" || m.Channel != a.name {
			continue
		}
		if m.Direction == core.DirectionIn && m.Kind == core.KindMessage {
			th.inReplyTo = m.ProviderMessageID
		}
		ids = append(ids, m.ProviderMessageID)
	}
	if th.inReplyTo == "" && len(ids) > 0 {
		th.inReplyTo = ids[len(ids)-1]
	}
	if len(ids) > maxReferences {
		ids = append(ids[:1], ids[len(ids)-maxReferences+1:]...)
	}
	th.references = ids
	return th, nil
}

// readFiles reads attachments from the blob store. A blob that is gone
// fails permanently: no retry brings it back.
func (a *Adapter) readFiles(ctx context.Context, atts []core.Attachment) ([]file, error) {
	files := make([]file, 0, len(atts))
	for _, att := range atts {
		rc, err := a.blobs.Open(ctx, att.Blob)
		if err != nil {
			if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
				return nil, core.Permanent(fmt.Errorf("attachment %s: %w", att.Filename, err))
			}
			return nil, fmt.Errorf("attachment %s: %w", att.Filename, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, a.caps.MaxSize()+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %w", att.Filename, err)
		}
		if int64(len(data)) > a.caps.MaxSize() {
			return nil, core.Permanent(fmt.Errorf("attachment %s is larger than %s", att.Filename, byteSize(a.caps.MaxSize())))
		}
		name := core.CleanFilename(att.Filename)
		if name == "" {
			name = fallbackFilename(att.MIMEType, len(files)+1)
		}
		mt := att.MIMEType
		if mt == "" {
			mt = "application/octet-stream"
		}
		files = append(files, file{Name: name, MIMEType: mt, Data: data})
	}
	return files, nil
}
