package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboard-hq/switchboard/core"
)

// PoisonSink keeps the messages handlers finally failed on, so operators can
// see and re-drive them (core.Hub.Poison stores them and marks the message
// they concern as failed).
type PoisonSink interface {
	// Poison records p. p.ID is empty for the sink to assign. Until Poison
	// returns nil the message is not acknowledged: the bus pauses, then
	// hands it to the handlers again, so nothing is lost.
	Poison(ctx context.Context, p core.Poisoned) error
}

// PoisonFunc adapts a function to PoisonSink.
type PoisonFunc func(ctx context.Context, p core.Poisoned) error

// Poison calls f.
func (f PoisonFunc) Poison(ctx context.Context, p core.Poisoned) error { return f(ctx, p) }

// poison hands a message whose handler failed (retries exhausted, or a
// permanent error) to sink and acknowledges it. If the sink fails it waits
// pause and returns the error, so the message is nacked and redelivered. A
// failure caused by shutdown (the message's context is done) is returned as
// is: the message is left for redelivery, not poisoned.
//
// With pub set, a copy of the poisoned message also goes to topic.
type poison struct {
	sink  PoisonSink
	pause time.Duration
	pub   message.Publisher
	topic string
	log   *slog.Logger
}

func (p poison) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		produced, err := h(msg)
		ctx := msg.Context()
		if err == nil {
			return produced, nil
		}
		if ctx.Err() != nil {
			// Wrapping ctx.Err() tells the router this is shutdown, not a
			// failure worth an error log.
			return produced, errors.Join(err, ctx.Err())
		}

		handler, topic := message.HandlerNameFromCtx(ctx), message.SubscribeTopicFromCtx(ctx)
		rec := core.Poisoned{
			Topic:     topic,
			Key:       msg.Metadata.Get(MetaKey),
			Handler:   handler,
			Reason:    err.Error(),
			Payload:   msg.Payload,
			MessageID: msg.Metadata.Get(MetaMessageID),
			CreatedAt: time.Now().UTC(),
		}
		log := p.log.With("handler", handler, "topic", topic, "key", rec.Key,
			"message_uuid", msg.UUID, "correlation_id", CorrelationID(ctx))
		if perr := p.sink.Poison(ctx, rec); perr != nil {
			log.Error("poison sink failed; message will be redelivered", "reason", rec.Reason, "error", perr)
			t := time.NewTimer(p.pause)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			return nil, fmt.Errorf("poison message %s: %w", msg.UUID, errors.Join(err, perr))
		}
		log.Warn("message poisoned", "reason", rec.Reason, "attempts", attempt(ctx))

		// A failure on the poison topic itself is not copied there again: the
		// publish would wait on the very handler that failed.
		if p.pub != nil && topic != p.topic {
			cp := message.NewMessage(watermill.NewULID(), msg.Payload)
			cp.Metadata = maps.Clone(msg.Metadata)
			cp.Metadata.Set(MetaPoisonReason, rec.Reason)
			cp.Metadata.Set(MetaPoisonHandler, handler)
			cp.Metadata.Set(MetaPoisonTopic, topic)
			if perr := p.pub.Publish(p.topic, cp); perr != nil {
				log.Error("publish to poison topic", "poison_topic", p.topic, "error", perr)
			}
		}
		return nil, nil
	}
}
