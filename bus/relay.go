package bus

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/switchboard-hq/switchboard/core"
)

// relay publishes outbox records onto their topics and removes each from the
// outbox once its publish returned, that is once the handlers took it.
//
// One reader goes through the outbox in ID order, remembering the highest ID
// it read so that records in flight are not read twice, and hands each
// record to its topic's worker. Each worker publishes its topic's records
// one at a time, so a topic is handled in ID order and a topic whose
// handlers are slow holds up no other. The reader wakes on the outbox
// signal, on a poll tick, and goes through everything pending on start: that
// is how a restart resumes deliveries.
//
// Only topics with a handler are published (GoChannel drops a message nobody
// subscribed to); records of other topics stay pending, logged once.
type relay struct {
	outbox   core.Outbox
	pub      message.Publisher
	cfg      RelayConfig
	log      *slog.Logger
	stopping <-chan struct{}

	workers map[string]*worker
	done    *doneBatcher
	wg      sync.WaitGroup
}

// newRelay makes a relay for topics. Once stopping is closed, a publish that
// returns no longer marks its record done: the pub/sub may have given up
// on the message rather than delivered it.
func newRelay(outbox core.Outbox, pub message.Publisher, topics []string, cfg RelayConfig,
	log *slog.Logger, stopping <-chan struct{}) *relay {
	r := &relay{
		outbox: outbox, pub: pub, cfg: cfg, log: log, stopping: stopping,
		workers: make(map[string]*worker, len(topics)),
		done:    newDoneBatcher(outbox, cfg, log),
	}
	for _, t := range topics {
		r.workers[t] = &worker{r: r, topic: t, queue: make(chan core.OutboxRecord, cfg.QueueSize)}
	}
	return r
}

// start reads the outbox once, so that a broken store fails the start, then
// runs the reader and the workers until ctx is done. Call wait after
// cancelling ctx.
func (r *relay) start(ctx context.Context) error {
	first, err := r.outbox.OutboxPending(ctx, 0, r.cfg.ReadBatch)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	go r.done.run(ctx)
	for _, w := range r.workers {
		r.wg.Add(1)
		go w.run(ctx)
	}
	r.wg.Add(1)
	go r.read(ctx, first)
	return nil
}

// wait returns once the reader and workers have stopped and the records
// they got handled are marked done.
func (r *relay) wait() {
	r.wg.Wait()
	close(r.done.ids)
	<-r.done.stopped
}

// read dispatches page, then reads on from the highest ID seen, waiting for a
// signal or a tick whenever it has caught up with the outbox.
func (r *relay) read(ctx context.Context, page []core.OutboxRecord) {
	defer r.wg.Done()
	signal := r.outbox.OutboxSignal()
	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()
	unhandled := map[string]bool{}

	var after int64
	for {
		for _, rec := range page {
			after = max(after, rec.ID)
			if w, ok := r.workers[rec.Topic]; ok {
				w.offer(rec)
			} else if !unhandled[rec.Topic] {
				unhandled[rec.Topic] = true
				r.log.Warn("no handler for topic; its outbox records stay pending", "topic", rec.Topic)
			}
		}
		if len(page) < r.cfg.ReadBatch {
			select {
			case <-ctx.Done():
				return
			case <-signal:
			case <-tick.C:
			}
		}

		var err error
		page, err = r.outbox.OutboxPending(ctx, after, r.cfg.ReadBatch)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.log.Error("read outbox", "after", after, "error", err)
			page = nil
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
