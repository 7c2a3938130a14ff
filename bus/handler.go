package bus

import (
	"context"
	"maps"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Metadata keys the bus sets on every message it publishes.
const (
	// MetaKey is the ordering key: the outbox record's Key, the
	// conversation id where there is one.
	MetaKey = "key"
	// MetaCorrelationID ties together the logs of one flow across handlers.
	MetaCorrelationID = "correlation_id"
	// MetaOutboxID is the outbox record's ID (relayed messages only).
	MetaOutboxID = "outbox_id"
	// MetaMessageID, when a publisher sets it, names the core message the
	// bus message is about; a poisoned message carries it as MessageID.
	MetaMessageID = "message_id"
)

// Metadata keys on the copies published to Config.PoisonTopic.
const (
	MetaPoisonReason  = "poison_reason"
	MetaPoisonHandler = "poison_handler"
	MetaPoisonTopic   = "poison_topic"
)

// Handler handles one message. Returning nil acknowledges it. An error makes
// the bus retry with backoff, or give up at once if core.IsPermanent(err);
// a message given up on goes to the PoisonSink. A panic counts as an error.
//
// ctx is cancelled when the bus shuts down; a handler interrupted that way is
// run again after the restart, so handlers must be idempotent.
type Handler func(ctx context.Context, m Message) error

// Message is what a Handler receives.
type Message struct {
	// UUID identifies this publication; a replayed record gets a new one.
	UUID  string
	Topic string
	// Key is the ordering key (MetaKey).
	Key string
	// Payload is shared with the bus's other handlers: read it, don't
	// modify it.
	Payload []byte
	// Attempt counts this handler's tries of this delivery, from 1. A
	// message redelivered (after a restart, or because the PoisonSink
	// failed) starts again from 1.
	Attempt int
	// Metadata holds every metadata entry, the bus's own (Meta*) included.
	// It is the handler's own copy.
	Metadata map[string]string
}

// consume adapts h to watermill, for a handler subscribed to topic.
func (h Handler) consume(topic string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		return h(msg.Context(), Message{
			UUID:     msg.UUID,
			Topic:    topic,
			Key:      msg.Metadata.Get(MetaKey),
			Payload:  msg.Payload,
			Attempt:  attempt(msg.Context()),
			Metadata: maps.Clone(map[string]string(msg.Metadata)),
		})
	}
}
