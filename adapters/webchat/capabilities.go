package webchat

import "github.com/switchboard-hq/switchboard/core"

// DefaultCapabilities is what the web chat carries before YAML narrowing
// (DESIGN §3): deletion of sent messages, any file up to the global limit,
// voice messages, verification by emailed code, a first message only to a
// visitor already known, and live sessions (presence, rating, push macros).
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "Web chat",
		DeleteSent:        true,
		Attachments:       []string{"*/*"},
		AttachmentsLabel:  "any file",
		MaxAttachmentSize: core.MaxUpload,
		Voice:             true,
		Verification:      "code",
		Proactive:         "known contact",
		Live:              true,
	}
}
