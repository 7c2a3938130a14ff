package core

import (
	"context"
	"time"
)

// Channel carries operator messages to one channel instance's provider.
// Adapters implement it; the core never names a concrete channel.
type Channel interface {
	// Send delivers out to the provider. It must be safe for concurrent use
	// and idempotent for one out.IdempotencyKey where the provider allows.
	// An error wrapped with Permanent means the provider refused the message
	// and retrying cannot help; any other error is retried with backoff.
	Send(ctx context.Context, out Outbound) (SendReceipt, error)
	// Capabilities returns what the channel can carry, after YAML narrowing.
	Capabilities() Capabilities
}

// Runner is implemented by channels with background work (pollers, provider
// sessions). Run blocks until ctx is cancelled or the work fails.
type Runner interface {
	Run(ctx context.Context) error
}

// Deleter is implemented by channels that can delete an operator message
// already delivered to the contact.
type Deleter interface {
	Delete(ctx context.Context, m Message, to ContactRef) error
}

// SendChecker is implemented by channels whose ability to send depends on
// the conversation: a 24-hour window, an opt-out, a template requirement.
// The hub calls CheckSend before anything is queued; an error (typically a
// *CapabilityError, shown to the operator verbatim) refuses the message.
// CheckSend must not send anything.
type SendChecker interface {
	CheckSend(ctx context.Context, c SendCheck) error
}

// SendCheck is an operator message about to be queued.
type SendCheck struct {
	Conversation Conversation
	Contact      Contact
	// To is the contact's identity on the conversation's channel.
	To          ContactRef
	Text        string
	Attachments []Attachment
	Now         time.Time
}

// ChannelInfo is what the core knows about a configured channel instance.
type ChannelInfo struct {
	Name string
	Type string
	// Group restricts automatic routing to the group's members.
	Group        string
	Capabilities Capabilities
	// Adapter carries operator messages out; its Capabilities, when set,
	// replace the field above.
	Adapter Channel
}

// Topic names of the outbox and the bus. Outbound topics carry no dots:
// NATS stream names cannot hold them.
const (
	TopicInbound = "inbound"
	TopicEvents  = "events"
)

// OutboundTopic is the topic carrying deliveries to one channel instance.
func OutboundTopic(channel string) string { return "outbound_" + channel }

// Delivery is the payload of an outbound topic: which message to send.
type Delivery struct {
	MessageID string `json:"message_id"`
}

// EventType names an event delivered to the inbox feed and to external
// webhooks.
type EventType string

// Event types.
const (
	EventMessageCreated            EventType = "message.created"
	EventMessageStatusChanged      EventType = "message.status_changed"
	EventMessageUpdated            EventType = "message.updated"
	EventConversationCreated       EventType = "conversation.created"
	EventConversationStatusChanged EventType = "conversation.status_changed"
	EventConversationAssigned      EventType = "conversation.assigned"
	EventConversationUpdated       EventType = "conversation.updated"
	EventContactUpdated            EventType = "contact.updated"
	EventContactErased             EventType = "contact.erased"
	EventOperatorPresence          EventType = "operator.presence"
)

// Event is one change, as published on the events topic. Its JSON form is
// what external webhooks receive.
type Event struct {
	ID        string    `json:"id"`
	Type      EventType `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is the payload of an event; fields not concerned are omitted.
type EventData struct {
	Conversation   *Conversation `json:"conversation,omitempty"`
	Message        *Message      `json:"message,omitempty"`
	Contact        *Contact      `json:"contact,omitempty"`
	ContactID      string        `json:"contact_id,omitempty"`
	PreviousStatus string        `json:"previous_status,omitempty"`
	OperatorID     string        `json:"operator_id,omitempty"`
	Presence       Presence      `json:"presence,omitempty"`
}
