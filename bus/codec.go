package bus

import (
	"strconv"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboard-hq/switchboard/core"
)

// newMessage builds a message with a fresh UUID. metadata is copied; key and,
// unless metadata has one, a correlation id are added: correlationID, or
// else the message's own UUID, as the first message of a flow.
func newMessage(key string, payload []byte, metadata map[string]string, correlationID string) *message.Message {
	msg := message.NewMessage(watermill.NewULID(), payload)
	for k, v := range metadata {
		msg.Metadata.Set(k, v)
	}
	msg.Metadata.Set(MetaKey, key)
	if msg.Metadata.Get(MetaCorrelationID) == "" {
		if correlationID == "" {
			correlationID = msg.UUID
		}
		msg.Metadata.Set(MetaCorrelationID, correlationID)
	}
	return msg
}

// recordMessage is the message that carries an outbox record.
func recordMessage(r core.OutboxRecord) *message.Message {
	msg := newMessage(r.Key, r.Payload, nil, "")
	msg.Metadata.Set(MetaOutboxID, strconv.FormatInt(r.ID, 10))
	return msg
}
