package bus

import (
	"github.com/ThreeDotsLabs/watermill/message"
)

// correlate gives every message a correlation id (MetaCorrelationID; the
// message's UUID if the publisher set none) and exposes it to the handler through
// CorrelationID(ctx). Messages the handler produces inherit it.
func correlate(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		id := msg.Metadata.Get(MetaCorrelationID)
		if id == "" {
			id = msg.UUID
			msg.Metadata.Set(MetaCorrelationID, id)
		}
		msg.SetContext(WithCorrelationID(msg.Context(), id))

		produced, err := h(msg)
		for _, p := range produced {
			if p.Metadata.Get(MetaCorrelationID) == "" {
				p.Metadata.Set(MetaCorrelationID, id)
			}
		}
		return produced, err
	}
}
