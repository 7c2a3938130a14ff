package telegram

import (
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// MaxFileSize is the largest file a bot may upload (50 MB).
const MaxFileSize int64 = 50 << 20

// DeleteWindow is how long after sending Telegram lets a bot delete its
// message in a private chat.
const DeleteWindow = 48 * time.Hour

// DefaultCapabilities is what a Telegram bot can carry before YAML narrowing
// (DESIGN §3): any file up to 50 MB, voice notes, deletion within 48 hours;
// identities are never verified, and a bot may write only to users who
// wrote to it first.
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "Telegram",
		DeleteSent:        true,
		DeleteWindow:      DeleteWindow,
		Attachments:       []string{"*/*"},
		AttachmentsLabel:  "any file",
		MaxAttachmentSize: MaxFileSize,
		Voice:             true,
		Verification:      "",
		Proactive:         "after contact",
	}
}
