package bus

import (
	"context"
	"log/slog"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// doneBatcher removes handled records from the outbox in batches: each
// OutboxDone is a durable commit. Ids sent on ids are written when a batch
// holds max of them or every after its first id; a failed write is retried
// every retry. Closing ids writes what is left and closes stopped.
type doneBatcher struct {
	outbox core.Outbox
	max    int
	every  time.Duration
	retry  time.Duration
	log    *slog.Logger

	ids     chan int64
	stopped chan struct{}
}

func newDoneBatcher(outbox core.Outbox, cfg RelayConfig, log *slog.Logger) *doneBatcher {
	return &doneBatcher{
		outbox: outbox, max: cfg.DoneBatch, every: cfg.DoneInterval, retry: cfg.PollInterval, log: log,
		ids: make(chan int64, cfg.DoneBatch), stopped: make(chan struct{}),
	}
}

// run batches until ids is closed. ctx carries values only: the last batch
// is written after shutdown began.
func (d *doneBatcher) run(ctx context.Context) {
	defer close(d.stopped)
	ctx = context.WithoutCancel(ctx)

	var batch []int64
	failing := false
	timer := time.NewTimer(d.every)
	timer.Stop()
	defer timer.Stop()

	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := d.outbox.OutboxDone(ctx, batch); err != nil {
			d.log.Error("mark outbox records done; will retry", "count", len(batch), "error", err)
			failing = true
			timer.Reset(d.retry)
			return
		}
		batch, failing = nil, false
	}

	for {
		select {
		case id, ok := <-d.ids:
			if !ok {
				flush()
				if len(batch) > 0 {
					d.log.Warn("outbox records handled but not marked done; they will be redelivered", "count", len(batch))
				}
				return
			}
			batch = append(batch, id)
			switch {
			case failing:
			case len(batch) >= d.max:
				flush()
			case len(batch) == 1:
				timer.Reset(d.every)
			}
		case <-timer.C:
			flush()
		}
	}
}
