package bus_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/core"
)

// A poller publishes what it fetched and learns that it was handled before
// it acknowledges the provider.
func Example() {
	b, err := bus.New(bus.Config{
		Poison: bus.PoisonFunc(func(ctx context.Context, p core.Poisoned) error {
			fmt.Printf("poisoned by %s: %s\n", p.Handler, p.Reason)
			return nil
		}),
	}, nil)
	if err != nil {
		panic(err)
	}
	b.Handle("receive", core.TopicInbound, func(ctx context.Context, m bus.Message) error {
		if string(m.Payload) == "" {
			return core.Permanent(errors.New("empty mail"))
		}
		fmt.Printf("%s: %s (attempt %d, correlation %s)\n", m.Key, m.Payload, m.Attempt, bus.CorrelationID(ctx))
		return nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Run(ctx) }()
	<-b.Running()

	req := bus.WithCorrelationID(ctx, "poll-1")
	for _, body := range []string{"hello", ""} {
		if err := b.Publish(req, core.TopicInbound, "imap:INBOX:7", []byte(body), nil); err != nil {
			fmt.Println(err)
		}
	}
	cancel()
	fmt.Println("run:", <-done)
	// Output:
	// imap:INBOX:7: hello (attempt 1, correlation poll-1)
	// poisoned by receive: empty mail
	// run: <nil>
}
