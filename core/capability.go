package core

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Capabilities is what a channel can carry, declared as data by its adapter
// and narrowed (never widened) by ops in YAML. The core checks every outbound
// action against it before anything is queued (DESIGN §3).
type Capabilities struct {
	// Label names the channel kind in refusals shown to operators ("SMS").
	Label string
	// DeleteSent allows deleting an operator message already sent, within
	// DeleteWindow after sending when that is set.
	DeleteSent   bool
	DeleteWindow time.Duration
	// Attachments lists accepted MIME types; a pattern may end in "/*"
	// ("image/*") and "*/*" accepts anything. Empty accepts no files.
	Attachments []string
	// AttachmentsLabel describes Attachments for people
	// ("JPEG, PNG and GIF images"); generated from the list when empty.
	AttachmentsLabel string
	// MaxAttachmentSize in bytes; 0 means the global limit.
	MaxAttachmentSize int64
	// Voice reports whether voice messages can be sent as such.
	Voice bool
	// Live reports live sessions: presence, rating prompts, push macros.
	Live bool
	// Verification says how a contact's identity becomes verified on this
	// channel; empty means never.
	Verification string
	// Proactive says whether and when an operator may write first.
	Proactive string
}

// MaxUpload is the global upload limit: no channel accepts more.
const MaxUpload int64 = 100 << 20

// CapabilityOverride narrows an adapter's defaults from YAML. Nil fields keep
// the default.
type CapabilityOverride struct {
	Attachments       *[]string `mapstructure:"attachments"`
	MaxAttachmentSize *int64    `mapstructure:"max_attachment_size"`
	Voice             *bool     `mapstructure:"voice"`
	DeleteSent        *bool     `mapstructure:"delete_sent"`
}

// Narrow applies o to c. It refuses any override that would let the channel
// do more than its adapter implements.
func (c Capabilities) Narrow(o CapabilityOverride) (Capabilities, error) {
	n := c
	if o.Attachments != nil {
		n.Attachments = make([]string, 0, len(*o.Attachments))
		for _, t := range *o.Attachments {
			t = strings.ToLower(strings.TrimSpace(t))
			if !validMIMEPattern(t) {
				return c, Invalidf("capabilities.attachments: %q is not a MIME type or pattern", t)
			}
			if !c.coversPattern(t) {
				return c, Invalidf("capabilities.attachments: %q is wider than the channel supports (%s)", t, c.attachmentsText())
			}
			n.Attachments = append(n.Attachments, t)
		}
		n.AttachmentsLabel = ""
	}
	if o.MaxAttachmentSize != nil {
		// 0 would mean the global limit, wider than most channels allow.
		m := *o.MaxAttachmentSize
		if m <= 0 || m > c.maxSize() {
			return c, Invalidf("capabilities.max_attachment_size: %d is outside 1..%d", m, c.maxSize())
		}
		n.MaxAttachmentSize = m
	}
	if o.Voice != nil {
		if *o.Voice && !c.Voice {
			return c, Invalidf("capabilities.voice: the channel cannot send voice messages")
		}
		n.Voice = *o.Voice
	}
	if o.DeleteSent != nil {
		if *o.DeleteSent && !c.DeleteSent {
			return c, Invalidf("capabilities.delete_sent: the channel cannot delete sent messages")
		}
		n.DeleteSent = *o.DeleteSent
	}
	return n, nil
}

// CapabilityError is a refusal because a channel cannot do something. Its
// Error text is meant to be shown to the operator verbatim.
type CapabilityError struct {
	Channel    string // channel instance
	Capability string // "attachments", "voice", "delete", "live", ...
	Reason     string
}

func (e *CapabilityError) Error() string { return e.Reason }

// ErrorCode is CodeCapability.
func (e *CapabilityError) ErrorCode() Code { return CodeCapability }

func (c Capabilities) refuse(channel, capability, format string, args ...any) error {
	return &CapabilityError{Channel: channel, Capability: capability, Reason: fmt.Sprintf(format, args...)}
}

func (c Capabilities) label(channel string) string {
	if c.Label != "" {
		return c.Label
	}
	return "channel " + channel
}

// CheckAttachment refuses a file the channel cannot carry.
func (c Capabilities) CheckAttachment(channel string, a Attachment) error {
	l := c.label(channel)
	if len(c.Attachments) == 0 {
		return c.refuse(channel, "attachments", "%s accepts no attachments", l)
	}
	if !c.Accepts(a.MIMEType) {
		return c.refuse(channel, "attachments", "%s accepts only %s; this file is %s", l, c.attachmentsText(), a.MIMEType)
	}
	if max := c.maxSize(); a.Size > max {
		limit, size := byteSize(max), byteSize(a.Size)
		if size == limit { // rounded alike: "up to 5.0 MB; this file is 5.0 MB" would puzzle
			size = "over " + limit
		}
		return c.refuse(channel, "attachments", "%s accepts files up to %s; this file is %s", l, limit, size)
	}
	if a.Voice && !c.Voice {
		return c.refuse(channel, "voice", "%s cannot carry voice messages", l)
	}
	return nil
}

// Accepts reports whether a MIME type is among the accepted attachments.
func (c Capabilities) Accepts(mime string) bool {
	mime, _, _ = strings.Cut(mime, ";")
	mime = strings.ToLower(strings.TrimSpace(mime))
	for _, p := range c.Attachments {
		if ok, _ := path.Match(strings.ToLower(p), mime); ok {
			return true
		}
	}
	return false
}

// CheckDelete refuses deleting a message sent at sentAt when the channel
// cannot, or can no longer, delete it.
func (c Capabilities) CheckDelete(channel string, sentAt, now time.Time) error {
	l := c.label(channel)
	if !c.DeleteSent {
		return c.refuse(channel, "delete", "%s cannot delete a message once it is sent", l)
	}
	if c.DeleteWindow > 0 && now.Sub(sentAt) > c.DeleteWindow {
		return c.refuse(channel, "delete", "%s deletes messages only within %s of sending; this one is older", l, duration(c.DeleteWindow))
	}
	return nil
}

// CheckLive refuses what needs a live session (rating, push macros) on a
// channel without one.
func (c Capabilities) CheckLive(channel, what string) error {
	if !c.Live {
		return c.refuse(channel, "live", "%s has no live sessions, so it cannot %s", c.label(channel), what)
	}
	return nil
}

func (c Capabilities) maxSize() int64 {
	if c.MaxAttachmentSize <= 0 || c.MaxAttachmentSize > MaxUpload {
		return MaxUpload
	}
	return c.MaxAttachmentSize
}

// MaxSize is the largest file the channel accepts.
func (c Capabilities) MaxSize() int64 { return c.maxSize() }

func (c Capabilities) coversPattern(p string) bool {
	for _, have := range c.Attachments {
		have = strings.ToLower(have)
		if have == "*/*" || have == p {
			return true
		}
		if strings.HasSuffix(have, "/*") && strings.HasPrefix(p, strings.TrimSuffix(have, "*")) {
			return true
		}
	}
	return false
}

func (c Capabilities) attachmentsText() string {
	if c.AttachmentsLabel != "" {
		return c.AttachmentsLabel
	}
	return strings.Join(c.Attachments, ", ")
}

func validMIMEPattern(p string) bool {
	typ, sub, ok := strings.Cut(p, "/")
	return ok && typ != "" && sub != "" && !strings.ContainsAny(p, " ;,")
}

// duration renders d for people: "48 hours", "15 minutes", or Go's form
// ("1h30m0s") when d is not whole hours or minutes.
func duration(d time.Duration) string {
	n, unit := int64(0), ""
	switch {
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	default:
		return d.String()
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
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
