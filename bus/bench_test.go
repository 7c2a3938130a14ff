package bus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/bus"
)

// BenchmarkRelay measures records per second from the outbox through the
// relay, the memory pub/sub and the middleware to a no-op handler and back
// to OutboxDone, with the default config. The records are pending when the
// bus starts, as after a restart.
func BenchmarkRelay(b *testing.B) {
	for _, topics := range []int{1, 8} {
		b.Run(fmt.Sprintf("topics=%d", topics), func(b *testing.B) {
			o := newFakeOutbox()
			for i := range b.N {
				o.add(fmt.Sprintf("topic_%d", i%topics), fmt.Sprintf("cnv_%d", i%100), `{"message_id":"msg_1"}`)
			}
			bs, err := bus.New(bus.Config{Outbox: o, Poison: &fakeSink{}}, nil)
			if err != nil {
				b.Fatal(err)
			}
			for t := range topics {
				bs.Handle(fmt.Sprintf("h%d", t), fmt.Sprintf("topic_%d", t), func(ctx context.Context, m bus.Message) error { return nil })
			}

			b.ResetTimer()
			begin := time.Now()
			stop := start(b, bs)
			for o.doneCount() < b.N {
				time.Sleep(100 * time.Microsecond)
			}
			elapsed := time.Since(begin)
			b.StopTimer()
			stop()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
		})
	}
}
