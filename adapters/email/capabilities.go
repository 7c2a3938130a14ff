package email

import "github.com/switchboard-hq/switchboard/core"

// MaxAttachmentSize is what mail providers commonly accept per message.
const MaxAttachmentSize int64 = 25 << 20

// DefaultCapabilities is what email carries before YAML narrowing (DESIGN
// §3): any file up to 25 MB, voice notes only as ordinary audio files, no
// deleting a mail once sent, no live sessions; a contact's address counts as
// verified after they click a link mailed to it, and operators may always
// write first.
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "Email",
		DeleteSent:        false,
		Attachments:       []string{"*/*"},
		AttachmentsLabel:  "any file",
		MaxAttachmentSize: MaxAttachmentSize,
		Voice:             false,
		Live:              false,
		Verification:      "link",
		Proactive:         "always",
	}
}
