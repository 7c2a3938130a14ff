package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// Results of handling one inbound mail (Outcome.Result).
const (
	ResultMessage   = "message"   // a customer message, in the inbox
	ResultFiltered  = "filtered"  // stored in the Filtered view (Outcome.FilterReason)
	ResultDuplicate = "duplicate" // its Message-ID was stored before
	ResultRejected  = "rejected"  // not stored (Outcome.Reason)
)

// Outcome is what became of one inbound mail.
type Outcome struct {
	// Source is "imap" or "smtp"; UID is the IMAP UID.
	Source string
	UID    uint32
	Result string
	// FilterReason is set for ResultFiltered.
	FilterReason string
	// Reason says why the mail was rejected.
	Reason string
	// Mail is the parsed mail (nil when it could not be parsed), Thread its
	// threading headers.
	Mail   *Mail
	Thread Thread
	// Inbound is what the hub was given; Receipt what it answered.
	Inbound core.Inbound
	Receipt core.Receipt
	// Bounced is the Message-ID a bounce reported failed, when the hub knew
	// it.
	Bounced string
}

// source is where a raw mail came from.
type source struct {
	kind         string // "imap" or "smtp"
	uid          uint32
	internalDate time.Time
	rcpts        []string // SMTP envelope recipients
}

// ingest parses one raw mail and hands it to the hub. Mail the hub cannot
// take (unparseable, refused as invalid) is rejected in the Outcome with a
// nil error; an error means the hub or the blob store failed and the same
// mail should be tried again later: nothing may be acknowledged then.
func (a *Adapter) ingest(ctx context.Context, raw []byte, src source) (Outcome, error) {
	m, err := Parse(raw)
	return a.ingestParsed(ctx, m, err, src)
}

// ingestParsed is ingest after Parse returned m and perr.
func (a *Adapter) ingestParsed(ctx context.Context, m *Mail, perr error, src source) (Outcome, error) {
	out := Outcome{Source: src.kind, UID: src.uid}
	if perr != nil {
		return a.reject(ctx, out, perr.Error()), nil
	}
	out.Mail, out.Thread = m, ThreadOf(m, a.cfg.MessageIDDomain)
	out.FilterReason = Classify(m, a.cfg.BlockedSenders)
	conv, fresh, err := a.placement(ctx, m, out.Thread, out.FilterReason, src.rcpts)
	if err != nil {
		return out, err
	}
	var atts []core.Attachment
	var notes []string
	if len(m.Attachments) > 0 && !a.stored(ctx, m.MessageID) { // a mail fetched again stores no files again
		if atts, notes, err = a.storeParts(ctx, m); err != nil {
			return out, err
		}
	}
	sentAt := m.Date
	if sentAt.IsZero() {
		sentAt = src.internalDate
	}
	out.Inbound = core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: core.KindMessage,
		ProviderMessageID: m.MessageID,
		Contact:           core.ContactRef{ID: m.From.Address, Name: m.From.Name, Email: m.From.Address},
		Text:              messageText(m, notes, len(atts) > 0),
		Attachments:       atts,
		ThreadKey:         out.Thread.Key,
		ConversationID:    conv,
		NewConversation:   fresh,
		SentAt:            sentAt,
		FilterReason:      out.FilterReason,
	}
	if len(out.Inbound.Text) > core.MaxTextLen {
		if err := a.shorten(ctx, &out.Inbound, m.Text); err != nil {
			return out, err
		}
	}
	return a.deliver(ctx, out)
}

// deliver hands out.Inbound to the hub and records what followed.
func (a *Adapter) deliver(ctx context.Context, out Outcome) (Outcome, error) {
	rcpt, err := a.recv.Receive(ctx, out.Inbound)
	switch code := core.ErrorCode(err); {
	case err == nil:
	case code == core.CodeInvalid || code == core.CodeTooLarge:
		return a.reject(ctx, out, err.Error()), nil
	default:
		return out, fmt.Errorf("store mail %s: %w", out.Inbound.ProviderMessageID, err)
	}
	out.Receipt = rcpt
	switch {
	case rcpt.Duplicate:
		out.Result = ResultDuplicate
	case out.FilterReason != "":
		out.Result = ResultFiltered
	default:
		out.Result = ResultMessage
	}
	if out.Mail != nil && out.FilterReason == FilterBounce {
		if out.Bounced, err = a.markBounced(ctx, out.Mail); err != nil {
			return out, err
		}
	}
	if out.Mail != nil && out.Result == ResultMessage {
		if err := a.noteSubject(ctx, rcpt.ConversationID, out.Mail.Subject); err != nil {
			return out, err
		}
		if err := a.rememberSubject(ctx, out.Mail, rcpt.ConversationID); err != nil {
			return out, err
		}
	}
	a.log.DebugContext(ctx, "mail stored", "message_id", out.Inbound.ProviderMessageID, "result", out.Result,
		"filter", out.FilterReason, "conversation", rcpt.ConversationID)
	a.observe(out)
	return out, nil
}

func (a *Adapter) reject(ctx context.Context, out Outcome, reason string) Outcome {
	out.Result, out.Reason = ResultRejected, reason
	a.log.WarnContext(ctx, "mail rejected", "source", out.Source, "uid", out.UID, "reason", reason)
	a.observe(out)
	return out
}

// stored reports whether the hub has the mail already; the hub decides in
// the end (Receive reports a duplicate), this only saves work.
func (a *Adapter) stored(ctx context.Context, messageID string) bool {
	st := a.store()
	if st == nil {
		return false
	}
	_, err := st.MessageByProviderID(ctx, a.name, messageID)
	return err == nil
}

// markBounced marks the hub's mail a delivery report says failed, and
// returns its Message-ID; a report about mail the hub did not send (or sent
// through another channel) is only logged.
func (a *Adapter) markBounced(ctx context.Context, m *Mail) (string, error) {
	f, ok := m.Report.Failure()
	if !ok || m.Report.OriginalMessageID == "" {
		return "", nil
	}
	target := m.Report.OriginalMessageID
	_, err := a.recv.Receive(ctx, core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: core.KindFailed,
		ProviderMessageID: m.MessageID, Target: target, Error: f.Reason(), SentAt: m.Date,
	})
	switch {
	case err == nil:
		a.log.InfoContext(ctx, "mail bounced", "message_id", target, "recipient", f.Recipient, "status", f.Status)
		return target, nil
	case errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound:
		a.log.InfoContext(ctx, "bounce for mail the hub did not send", "message_id", target, "recipient", f.Recipient)
		return "", nil
	}
	return "", fmt.Errorf("mark %s bounced: %w", target, err)
}

// storeParts streams m's attachments into the blob store. A file over the
// channel's size limit is left out, with a note for the text saying so.
func (a *Adapter) storeParts(ctx context.Context, m *Mail) ([]core.Attachment, []string, error) {
	var atts []core.Attachment
	var notes []string
	limit := a.caps.MaxSize()
	for i, p := range m.Attachments {
		name := core.CleanFilename(p.Filename)
		if name == "" {
			name = fallbackFilename(p.MIMEType, i+1)
		}
		if int64(len(p.Data)) > limit {
			notes = append(notes, fmt.Sprintf("[%s (%s) was not imported: files may be at most %s]", name, byteSize(int64(len(p.Data))), byteSize(limit)))
			continue
		}
		blob, err := a.blobs.Put(ctx, bytes.NewReader(p.Data), limit)
		if err != nil {
			return nil, nil, fmt.Errorf("store attachment %s: %w", name, err)
		}
		atts = append(atts, core.Attachment{Filename: name, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref})
	}
	return atts, notes, nil
}

// messageText is the text the hub stores: the body, notes about files left
// out, and, for a mail with neither text nor files, its subject.
func messageText(m *Mail, notes []string, hasFiles bool) string {
	text := m.Text
	if len(notes) > 0 {
		text = strings.TrimSpace(text + "\n\n" + strings.Join(notes, "\n"))
	}
	if text == "" && !hasFiles {
		text = m.Subject
	}
	if text == "" && !hasFiles {
		text = "(empty mail)"
	}
	return text
}

// shorten cuts a text longer than the hub stores, and attaches the whole
// text as message.txt so nothing is lost.
func (a *Adapter) shorten(ctx context.Context, in *core.Inbound, full string) error {
	const note = "\n\n[The mail is longer than a message may be; the whole text is attached as message.txt.]"
	cut := core.MaxTextLen - len(note)
	for cut > 0 && !utf8.RuneStart(in.Text[cut]) {
		cut--
	}
	in.Text = in.Text[:cut] + note
	blob, err := a.blobs.Put(ctx, strings.NewReader(full), a.caps.MaxSize())
	if err != nil {
		return fmt.Errorf("store full text: %w", err)
	}
	in.Attachments = append(in.Attachments, core.Attachment{Filename: "message.txt", MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref})
	return nil
}

// ingestOversize records a mail larger than max_message_bytes from its
// header alone (m and perr are what Parse made of it): operators see that
// it came, from whom, and why it is not there.
func (a *Adapter) ingestOversize(ctx context.Context, m *Mail, perr error, size int64, src source, mailbox string) (Outcome, error) {
	out := Outcome{Source: src.kind, UID: src.uid}
	if perr != nil {
		return a.reject(ctx, out, fmt.Sprintf("%d bytes, over max_message_bytes, and %v", size, perr)), nil
	}
	var err error
	out.Mail, out.Thread = m, ThreadOf(m, a.cfg.MessageIDDomain)
	out.FilterReason = Classify(m, a.cfg.BlockedSenders)
	sentAt := m.Date
	if sentAt.IsZero() {
		sentAt = src.internalDate
	}
	text := fmt.Sprintf("[This mail (%s) is larger than the channel accepts (%s, max_message_bytes), so it was not imported; it is still in the mailbox %q.]",
		byteSize(size), byteSize(a.cfg.MaxMessageBytes), mailbox)
	if m.Subject != "" {
		text = "Subject: " + m.Subject + "\n\n" + text
	}
	out.Inbound = core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: core.KindMessage, ProviderMessageID: m.MessageID,
		Contact: core.ContactRef{ID: m.From.Address, Name: m.From.Name, Email: m.From.Address},
		Text:    text, ThreadKey: out.Thread.Key, SentAt: sentAt, FilterReason: out.FilterReason,
	}
	out.Inbound.ConversationID, out.Inbound.NewConversation, err = a.placement(ctx, m, out.Thread, out.FilterReason, src.rcpts)
	if err != nil {
		return out, err
	}
	return a.deliver(ctx, out)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
