package bus

import (
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboard-hq/switchboard/core"
)

// retry runs a failing handler again with exponential backoff, at most
// cfg.MaxRetries times, and returns the last error.
//
// Unlike watermill's middleware.Retry it gives up at once on an error for
// which core.IsPermanent is true, numbers the attempts in the context (the
// handler sees Message.Attempt), starts every attempt from the message's
// original context, and stops waiting when that context is cancelled
// (shutdown), returning the handler's error. The message keeps the last
// attempt's context, so outer steps can read its number.
func retry(cfg RetryConfig, log *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx := msg.Context()

			wait := cfg.InitialInterval
			for n := 1; ; n++ {
				msg.SetContext(withAttempt(ctx, n))
				produced, err := h(msg)
				if err == nil || core.IsPermanent(err) || n > cfg.MaxRetries || ctx.Err() != nil {
					return produced, err
				}
				log.Warn("handler failed, retrying", "handler", message.HandlerNameFromCtx(ctx),
					"message_uuid", msg.UUID, "attempt", n, "wait", wait, "error", err)

				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return produced, err
				}
				wait = min(time.Duration(float64(wait)*cfg.Multiplier), cfg.MaxInterval)
			}
		}
	}
}
