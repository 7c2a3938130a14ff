package sms

import "github.com/switchboard-hq/switchboard/core"

// Limits of one outbound message. Twilio refuses a Body over 1,600
// characters (error 21617) and more than 10 media (error 21623); the
// generic driver keeps the same limits so either driver can replace the
// other.
const (
	maxTextChars = 1600
	maxMedia     = 10
	// maxMediaBytes is the SMS attachment limit of DESIGN §3; inbound media
	// up to it are stored, and flagged when the narrowed capabilities
	// exclude them.
	maxMediaBytes int64 = 5 << 20
)

// DefaultCapabilities is what an SMS channel can carry before YAML
// narrowing (DESIGN §3): JPEG, PNG and GIF images up to 5 MB as MMS, no
// voice messages, no deletion, no live sessions, contact identities never
// verified, and the operator may write first.
func DefaultCapabilities() core.Capabilities {
	return core.Capabilities{
		Label:             "SMS",
		Attachments:       []string{"image/jpeg", "image/png", "image/gif"},
		AttachmentsLabel:  "JPEG, PNG and GIF images",
		MaxAttachmentSize: maxMediaBytes,
		Voice:             false,
		DeleteSent:        false,
		Live:              false,
		Verification:      "",
		Proactive:         "always",
	}
}
