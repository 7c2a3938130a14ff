package core

import "context"

// Mailer sends email on the hub's behalf: verification codes, transcripts,
// notifications to contacts. The email channel's SMTP sender implements it;
// without an email channel the hub has no Mailer and refuses what needs one
// with the reason.
type Mailer interface {
	SendMail(ctx context.Context, m Mail) error
}

// Mail is one message the hub sends by email.
type Mail struct {
	To      []string
	Subject string
	// Text is the plain-text body; HTML, when set, is an alternative.
	Text string
	HTML string
	// ReplyTo, when set, is the Reply-To address.
	ReplyTo string
}

// Mailer returns the hub's mail sender, or nil when none is configured.
func (h *Hub) Mailer() Mailer { return h.cfg.Mailer }
