package bus

import "context"

type ctxKey int

const (
	correlationKey ctxKey = iota
	attemptKey
)

// CorrelationID returns the correlation id the bus put in a handler's
// context, or the one WithCorrelationID attached; "" if there is none.
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey).(string)
	return id
}

// WithCorrelationID returns ctx carrying id; Publish puts it on the message,
// so the handlers' logs can be joined with the caller's (an HTTP request id,
// say).
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey, id)
}

// attempt returns the attempt number the retry middleware put in ctx,
// counting from 1.
func attempt(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey).(int); ok {
		return n
	}
	return 1
}

func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey, n)
}
