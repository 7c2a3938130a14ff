package core

import "time"

// Kind says what an inbound event means for the conversation.
type Kind string

// The kinds of inbound events an adapter may report.
const (
	KindMessage   Kind = "message"
	KindEdit      Kind = "edit"
	KindDelete    Kind = "delete"
	KindReaction  Kind = "reaction"
	KindRead      Kind = "read"
	KindDelivered Kind = "delivered"
	KindFailed    Kind = "failed"
	KindTyping    Kind = "typing"
	KindPostback  Kind = "postback"
)

// Direction tells who wrote a message.
type Direction string

// Message directions.
const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
)

// DeliveryStatus is the life of an outgoing message at its provider.
type DeliveryStatus string

// Delivery states. Failed is final and always carries a reason; nothing a
// provider refused is ever shown as sent.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryRead      DeliveryStatus = "read"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Rank orders delivery states by how far delivery got: pending 0, sent 1,
// delivered 2, read 3 (failed 0; it is final, check for it first). A late
// "delivered" must never overwrite "read".
func (s DeliveryStatus) Rank() int {
	switch s {
	case DeliverySent:
		return 1
	case DeliveryDelivered:
		return 2
	case DeliveryRead:
		return 3
	}
	return 0
}

// Attachment is a file carried by a message. Its bytes live in the blob store
// under Blob; MIMEType is sniffed from those bytes, never taken from a client.
type Attachment struct {
	Filename string `json:"filename"`
	MIMEType string `json:"content_type"`
	Size     int64  `json:"size"`
	Blob     string `json:"blob"`
	Voice    bool   `json:"voice,omitempty"`
	// Flagged marks inbound content outside the channel's capabilities: it is
	// stored (nothing is lost) but operators see that the channel should not
	// have carried it.
	Flagged bool `json:"flagged,omitempty"`
}

// Inbound is one normalised event from a channel: a customer message, an
// edit, a receipt, a reaction. Adapters build it; Hub.Receive stores it.
type Inbound struct {
	Channel string // channel instance name, e.g. "crm"
	// ChannelType is the adapter type, e.g. "webhook"; informational.
	ChannelType string
	Kind        Kind
	// ProviderMessageID identifies the event at its provider. Together with
	// Channel it is unique: a second Inbound with the same pair is a
	// duplicate and is acknowledged without being stored again.
	ProviderMessageID string
	// Contact describes the sender as the provider knows them.
	Contact ContactRef
	Text    string
	// Attachments were already streamed into the blob store by the adapter.
	Attachments []Attachment
	// ThreadKey groups messages of one thread where the provider has threads
	// (email References, reply-to ids).
	ThreadKey string
	// ConversationID, when the adapter resolved which conversation the
	// message continues (an email reply token or References header), names
	// it. The hub uses it if it exists, is on this channel and belongs to
	// the same contact; otherwise it finds the conversation as usual.
	ConversationID string
	// NewConversation makes a message start a new conversation even when
	// the contact has one on this channel (a web chat whose previous
	// conversation timed out). ConversationID, when it names one, wins.
	NewConversation bool
	// Target is the provider id of the message an edit, reaction, receipt or
	// delete refers to.
	Target string
	// Error is the provider's reason for a KindFailed receipt.
	Error string
	// SentAt is the provider's timestamp; data, never a reason to refuse.
	SentAt time.Time
	// FilterReason, when set, files the conversation under the Filtered view
	// instead of the inbox (role senders, auto-replies, bulk mail, bounces).
	FilterReason string
	// RawRef points at the provider payload kept for audit, if any.
	RawRef string
}

// ContactRef is a contact as one channel identifies them.
type ContactRef struct {
	// ID is the provider's contact id: an E.164 phone, an email address, a
	// Telegram user id, a page-scoped id, a web visitor id, an external id.
	ID       string
	Name     string
	Email    string
	Phone    string
	Verified bool
}

// Receipt is what Hub.Receive reports about a stored Inbound.
type Receipt struct {
	MessageID      string
	ConversationID string
	ContactID      string
	// Duplicate is true when the provider id had been stored before; the
	// ids are then those of the first delivery.
	Duplicate bool
}

// Message is one stored entry of a conversation's transcript: a customer or
// operator message, or an internal note.
type Message struct {
	ID                string         `json:"id"`
	ConversationID    string         `json:"conversation_id"`
	Channel           string         `json:"channel"`
	Direction         Direction      `json:"direction"`
	Kind              Kind           `json:"kind"`
	Text              string         `json:"text"`
	Attachments       []Attachment   `json:"attachments"`
	Note              bool           `json:"note"`
	Author            string         `json:"author,omitempty"` // operator id for outgoing messages and notes
	Status            DeliveryStatus `json:"status,omitempty"`
	Error             string         `json:"error,omitempty"`
	Attempts          int            `json:"attempts"`
	ProviderMessageID string         `json:"provider_message_id,omitempty"`
	IdempotencyKey    string         `json:"idempotency_key,omitempty"`
	ThreadKey         string         `json:"thread_key,omitempty"`
	// Masked is true when card numbers were masked in Text before storing.
	Masked    bool       `json:"masked,omitempty"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	SentAt    time.Time  `json:"sent_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// Outbound is an operator message on its way to a channel.
type Outbound struct {
	MessageID      string
	ConversationID string
	Channel        string
	// To is the contact's provider id on this channel.
	To          ContactRef
	Text        string
	Attachments []Attachment
	// IdempotencyKey is stable across redeliveries of the same message;
	// adapters pass it to providers that deduplicate.
	IdempotencyKey string
	Operator       string
	// ReplyTo is the provider id of the message this one answers, if any.
	ReplyTo string
	Attempt int
	// LastContactAt is when the contact last wrote in the conversation, zero
	// if never. Channels with a reply window (Messenger's 24 hours) choose
	// how to send, or refuse, by it.
	LastContactAt time.Time
}

// SendReceipt is what a provider said about an accepted Outbound.
type SendReceipt struct {
	ProviderMessageID string
}
