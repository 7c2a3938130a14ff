package email

import (
	"strings"
)

// DeliveryReport is what a delivery status notification (RFC 3464) says.
type DeliveryReport struct {
	Recipients []RecipientStatus
	// OriginalMessageID is the Message-ID of the mail that could not be
	// delivered, from the returned headers or message.
	OriginalMessageID string
}

// RecipientStatus is one per-recipient block of a delivery status.
type RecipientStatus struct {
	Recipient  string // Final-Recipient (or Original-Recipient), lower-cased
	Action     string // failed, delayed, delivered, relayed, expanded
	Status     string // "5.1.1"
	Diagnostic string // Diagnostic-Code without its type
}

// Failure returns the first recipient the mail failed for, and whether
// there is one. Delayed, delivered or relayed recipients are no failure.
func (r *DeliveryReport) Failure() (RecipientStatus, bool) {
	if r == nil {
		return RecipientStatus{}, false
	}
	for _, s := range r.Recipients {
		if s.Action == "failed" || (s.Action == "" && strings.HasPrefix(s.Status, "5")) {
			return s, true
		}
	}
	return RecipientStatus{}, false
}

// Reason says, for people, why the mail bounced.
func (s RecipientStatus) Reason() string {
	var b strings.Builder
	b.WriteString("the mail to ")
	b.WriteString(s.Recipient)
	b.WriteString(" bounced")
	if s.Status != "" {
		b.WriteString(" (" + s.Status + ")")
	}
	if s.Diagnostic != "" {
		b.WriteString(": " + s.Diagnostic)
	}
	return b.String()
}

// addStatus reads a message/delivery-status body: a per-message block, then
// one block per recipient, blocks separated by blank lines.
func (r *DeliveryReport) addStatus(body []byte) {
	blocks := statusBlocks(string(body))
	for i, f := range blocks {
		rcpt := f["final-recipient"]
		if rcpt == "" {
			rcpt = f["original-recipient"]
		}
		if i == 0 && rcpt == "" {
			continue // the per-message block
		}
		if rcpt == "" {
			continue
		}
		r.Recipients = append(r.Recipients, RecipientStatus{
			Recipient:  strings.ToLower(afterType(rcpt)),
			Action:     strings.ToLower(strings.TrimSpace(f["action"])),
			Status:     firstWord(f["status"]),
			Diagnostic: afterType(f["diagnostic-code"]),
		})
		if len(r.Recipients) >= 100 {
			return
		}
	}
}

// statusBlocks splits a delivery-status body into blocks of fields, with
// lower-cased names and unfolded values.
func statusBlocks(s string) []map[string]string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var blocks []map[string]string
	cur := map[string]string{}
	last := ""
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, cur)
			cur = map[string]string{}
		}
		last = ""
	}
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case (line[0] == ' ' || line[0] == '\t') && last != "":
			cur[last] += " " + strings.TrimSpace(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(name))
			if _, seen := cur[last]; !seen {
				cur[last] = strings.TrimSpace(value)
			}
		}
	}
	flush()
	return blocks
}

// afterType drops the "rfc822;" or "smtp;" type of a DSN field value.
func afterType(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return validUTF8(strings.TrimSpace(v))
}

func firstWord(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// headerMessageID finds the Message-ID in returned headers (the
// text/rfc822-headers or message/rfc822 part of a report).
func headerMessageID(data []byte) string {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if l == "" {
			return "" // end of the header block
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "message-id") {
			continue
		}
		for j := i + 1; j < len(lines) && lines[j] != "" && (lines[j][0] == ' ' || lines[j][0] == '\t'); j++ {
			value += lines[j]
		}
		return firstID(value)
	}
	return ""
}
