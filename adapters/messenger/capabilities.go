package messenger

import "github.com/switchboard-hq/switchboard/core"

// maxAttachmentSize is Messenger's limit for an uploaded attachment.
const maxAttachmentSize int64 = 25 << 20

// DefaultCapabilities is what a Messenger channel can carry before YAML
// narrowing (DESIGN §3): images, audio, video and any other file up to
// 25 MB, voice clips, no deletion of sent messages, no verified identities,
// and operator messages only inside the reply window.
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "Messenger",
		DeleteSent:        false,
		Attachments:       []string{"image/*", "audio/*", "video/*", "*/*"},
		AttachmentsLabel:  "images, audio, video and files",
		MaxAttachmentSize: maxAttachmentSize,
		Voice:             true,
		Verification:      "",
		Proactive:         "24 h window",
		Live:              false,
	}
}
