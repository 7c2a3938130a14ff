// Package email is the email channel: customer mail comes in over IMAP
// (IMAP4rev1, RFC 3501, and IMAP4rev2, RFC 9051, with IDLE, RFC 2177) or an
// optional inbound SMTP listener, and operator replies go out over SMTP
// (RFC 5321, with STARTTLS, RFC 3207, and AUTH PLAIN, LOGIN or XOAUTH2).
//
// Mail is parsed as RFC 5322 with MIME (RFC 2045-2047, RFC 2231 parameters)
// in any charset golang.org/x/text knows; delivery status notifications
// (RFC 3464) mark the bounced operator message failed; automatic mail
// (RFC 3834 Auto-Submitted, Precedence, role senders) is filed under the
// Filtered view.
//
// Threading: a reply finds its conversation by the per-conversation reply
// address (reply+TOKEN@reply_domain), then by In-Reply-To and References
// against the Message-IDs the hub has received or sent, then, when
// configured, by the normalised subject from the same sender within a number
// of days. Every reply the hub sends carries a Message-ID on the hub's
// domain, which it reports as the provider message id, and In-Reply-To and
// References built from the conversation's earlier messages.
//
// The IMAP poller keeps a checkpoint per mailbox (UIDVALIDITY and the last
// UID handled) in the channel's durable state, written only after the mail
// up to it was durably stored, so a restart, a dropped connection or a server
// that was away for a day fetches exactly what was missed; the hub's unique
// provider ids (the Message-ID) make a message fetched twice a harmless
// duplicate.
package email
