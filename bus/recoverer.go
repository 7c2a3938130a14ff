package bus

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"
)

// panicError is a handler panic turned into an error. Its text, which
// operators see as the poison reason, leaves out the stack; the stack is
// logged.
type panicError struct{ value any }

func (e panicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.value) }

// recoverer turns a panic in the handler into a panicError, so the retry
// and poison steps treat it like any other failure and the process lives on.
func recoverer(log *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (produced []*message.Message, err error) {
			defer func() {
				if v := recover(); v != nil {
					log.Error("handler panicked", "handler", message.HandlerNameFromCtx(msg.Context()),
						"message_uuid", msg.UUID, "panic", v, "stack", string(debug.Stack()))
					produced, err = nil, panicError{value: v}
				}
			}()
			return h(msg)
		}
	}
}
