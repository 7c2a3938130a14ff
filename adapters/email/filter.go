package email

import (
	"strings"
)

// Filter reasons: why a mail goes to the Filtered view instead of the
// inbox (core.Inbound.FilterReason).
const (
	FilterBounce    = "bounce"
	FilterAutoReply = "auto_reply"
	FilterBulk      = "bulk"
	FilterRole      = "role_address"
	FilterBlocked   = "blocked"
)

// roleLocalParts are sender names of mailboxes no person answers.
var roleLocalParts = map[string]bool{
	"noreply": true, "no-reply": true, "donotreply": true, "do-not-reply": true,
	"mailer-daemon": true, "postmaster": true, "marketing": true, "newsletter": true,
	"newsletters": true, "notifications": true, "bounce": true, "bounces": true,
}

// Classify returns why m must not reach the inbox, or "" if it is a
// customer's mail. The checks run in this order: bounce (a delivery report,
// or the null sender with a mailer-daemon or postmaster From), auto-reply
// (Auto-Submitted other than "no", X-Autoreply, X-Autorespond), bulk
// (Precedence bulk, junk or list), role address (the From local part, with
// any +tag dropped, is one of roleLocalParts), blocked sender (an address or
// "@domain" of blocked).
func Classify(m *Mail, blocked []string) string {
	local := localPart(m.From.Address)
	switch {
	case m.ContentType == "multipart/report" && m.ReportType == "delivery-status",
		m.ReturnPathNull && (local == "mailer-daemon" || local == "postmaster"):
		return FilterBounce
	case m.AutoSubmitted != "" && m.AutoSubmitted != "no", m.AutoReplyHeader:
		return FilterAutoReply
	case m.Precedence == "bulk" || m.Precedence == "junk" || m.Precedence == "list":
		return FilterBulk
	case roleLocalParts[local]:
		return FilterRole
	case senderMatches(m.From.Address, blocked):
		return FilterBlocked
	}
	return ""
}

// localPart is the part of an address before its @, lower-cased and without
// a +tag.
func localPart(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	l := strings.ToLower(addr[:i])
	if tag := strings.IndexByte(l, '+'); tag >= 0 {
		l = l[:tag]
	}
	return l
}

// senderMatches reports whether addr is one of patterns: an address, or
// "@domain" for every address of that domain.
func senderMatches(addr string, patterns []string) bool {
	addr = strings.ToLower(addr)
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == addr || (strings.HasPrefix(p, "@") && strings.HasSuffix(addr, p)) {
			return true
		}
	}
	return false
}
