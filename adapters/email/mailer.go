package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// SendMail sends the hub's own mail (transcripts, verification codes,
// notifications) from the channel's address over its SMTP server. The mail
// is marked Auto-Submitted: auto-generated, so that vacation responders do
// not answer it. An address that is not one is an invalid-input error
// (core.CodeInvalid); delivery errors are those of Send.
func (a *Adapter) SendMail(ctx context.Context, m core.Mail) error {
	if len(m.To) == 0 {
		return core.Invalidf("a mail needs at least one recipient")
	}
	to := make([]*mail.Address, 0, len(m.To))
	rcpts := make([]string, 0, len(m.To))
	for _, s := range m.To {
		addr, err := mail.ParseAddress(s)
		if err != nil {
			return core.Invalidf("%q is not an email address", s)
		}
		to = append(to, addr)
		rcpts = append(rcpts, addr.Address)
	}
	if m.ReplyTo != "" {
		if _, err := mail.ParseAddress(m.ReplyTo); err != nil {
			return core.Invalidf("reply-to %q is not an email address", m.ReplyTo)
		}
	}
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" {
		return errors.New("send mail: the mail has no text")
	}
	raw, err := outgoing{
		From: a.from, To: to, ReplyTo: m.ReplyTo, Subject: m.Subject,
		MessageID: newToken() + "@" + a.cfg.MessageIDDomain, Date: a.now(),
		Text: m.Text, HTML: m.HTML, Auto: true,
	}.bytes()
	if err != nil {
		return fmt.Errorf("compose mail: %w", err)
	}
	if err := a.sendSMTP(ctx, a.from.Address, rcpts, raw); err != nil {
		a.log.WarnContext(ctx, "hub mail not sent", "subject", m.Subject, "err", err)
		return err
	}
	return nil
}
