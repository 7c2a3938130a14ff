package whatsapp

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// WhatsApp's limits for a file an operator sends.
const (
	// maxDocumentSize bounds a document, and so any attachment.
	maxDocumentSize int64 = 100 << 20
	// maxMediaSize bounds an image, audio clip or video.
	maxMediaSize int64 = 16 << 20
)

// revokeWindow is how long after sending WhatsApp lets the sender delete a
// message for everyone.
const revokeWindow = 48 * time.Hour

// DefaultCapabilities is what a WhatsApp channel can carry before YAML
// narrowing (DESIGN §3): images, audio, video and documents (application/*)
// up to 100 MB, of which images, audio and video only up to 16 MB (checked
// by CheckSend, since the core knows one limit per channel), voice notes,
// the contact's phone number as a verified identity, and first messages
// only as an approved template to a contact who opted in. Sent messages
// cannot be deleted; the whatsmeow driver's allow_delete enables it within
// WhatsApp's 48 hours.
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "WhatsApp",
		DeleteSent:        false,
		Attachments:       []string{"image/*", "audio/*", "video/*", "application/*"},
		AttachmentsLabel:  "images, audio, video and documents",
		MaxAttachmentSize: maxDocumentSize,
		Voice:             true,
		Verification:      "phone",
		Proactive:         "template + consent",
		Live:              false,
	}
}

// baseCapabilities is DefaultCapabilities with what c's driver and keys
// enable: the whatsmeow driver writes to anyone at any time (a linked
// account has no template rules), and deletes within 48 hours with
// allow_delete.
func (c Config) baseCapabilities() core.Capabilities {
	caps := DefaultCapabilities()
	if strings.EqualFold(strings.TrimSpace(c.Driver), DriverWhatsmeow) {
		caps.Proactive = "yes (a linked account)"
	}
	if c.AllowDelete {
		caps.DeleteSent, caps.DeleteWindow = true, revokeWindow
	}
	return caps
}

// capabilities is baseCapabilities narrowed by c's capabilities section,
// which Validate has checked.
func (c Config) capabilities() core.Capabilities {
	caps := c.baseCapabilities()
	if n, err := caps.Narrow(c.Capabilities); err == nil {
		return n
	}
	return caps
}

// checkMediaSize refuses an image, audio clip or video over WhatsApp's
// 16 MB, which the channel's one size limit (100 MB, for documents) lets
// through. The reason is shown to the operator verbatim.
func checkMediaSize(channel string, caps core.Capabilities, a core.Attachment) error {
	major, _, _ := strings.Cut(strings.ToLower(a.MIMEType), "/")
	if major != "image" && major != "audio" && major != "video" {
		return nil
	}
	limit := min(maxMediaSize, caps.MaxSize())
	if a.Size <= limit {
		return nil
	}
	size, max := megabytes(a.Size), megabytes(limit)
	if size == max {
		size = "over " + max
	}
	return &core.CapabilityError{
		Channel: channel, Capability: "attachments",
		Reason: fmt.Sprintf("WhatsApp accepts images, audio and video up to %s (documents up to %s); this file is %s",
			max, megabytes(caps.MaxSize()), size),
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
