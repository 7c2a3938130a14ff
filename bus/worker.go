package bus

import (
	"context"
	"sync"

	"github.com/switchboard-hq/switchboard/core"
)

// worker publishes one topic's records one at a time, in ID order.
//
// The reader offers records without ever blocking. When the queue is full
// the worker falls behind: offers are dropped until it has emptied its queue
// and read the dropped records back from the outbox itself (catchUp).
type worker struct {
	r     *relay
	topic string
	queue chan core.OutboxRecord

	mu        sync.Mutex
	high      int64 // highest ID taken: queued, being published or done
	behind    bool  // records past high were dropped
	droppedTo int64 // highest ID dropped
}

// offer queues rec, unless the worker has taken it already or is behind.
func (w *worker) offer(rec core.OutboxRecord) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rec.ID <= w.high {
		return
	}
	if !w.behind {
		select {
		case w.queue <- rec:
			w.high = rec.ID
			return
		default:
		}
	}
	w.behind, w.droppedTo = true, rec.ID
}

// run publishes queued records, and catches up once the queue is empty,
// until ctx is done.
func (w *worker) run(ctx context.Context) {
	defer w.r.wg.Done()
	for ctx.Err() == nil {
		if w.mustCatchUp() {
			w.catchUp(ctx)
			continue
		}
		select {
		case rec := <-w.queue:
			w.deliver(ctx, rec)
		case <-ctx.Done():
		}
	}
}

func (w *worker) mustCatchUp() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.behind && len(w.queue) == 0
}

// catchUp publishes the worker's records from the outbox, starting after
// the last one it took, until it has passed every record offer dropped.
// Then offers are queued again.
func (w *worker) catchUp(ctx context.Context) {
	w.mu.Lock()
	after := w.high
	w.mu.Unlock()
	for ctx.Err() == nil {
		w.mu.Lock()
		if w.high >= w.droppedTo {
			w.behind = false
			w.mu.Unlock()
			return
		}
		target := w.droppedTo
		w.mu.Unlock()

		page, err := w.r.outbox.OutboxPending(ctx, after, w.r.cfg.ReadBatch)
		if err != nil {
			if ctx.Err() == nil {
				w.r.log.Error("read outbox", "topic", w.topic, "after", after, "error", err)
				sleep(ctx, w.r.cfg.PollInterval)
			}
			continue
		}
		for _, rec := range page {
			after = max(after, rec.ID)
			if rec.Topic != w.topic || !w.take(rec.ID) {
				continue
			}
			if !w.deliver(ctx, rec) {
				return
			}
		}
		if len(page) == 0 {
			// Read to the end: dropped records not seen are gone.
			w.take(target)
		}
	}
}

// take raises high to id and reports whether id was above it.
func (w *worker) take(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if id <= w.high {
		return false
	}
	w.high = id
	return true
}

// deliver publishes rec until the pub/sub takes it, then has it marked done.
// It reports false, leaving rec in the outbox, if the relay is stopping.
func (w *worker) deliver(ctx context.Context, rec core.OutboxRecord) bool {
	for ctx.Err() == nil && !w.stopping() {
		err := w.r.pub.Publish(w.topic, recordMessage(rec))
		if w.stopping() {
			return false
		}
		if err == nil {
			w.r.done.ids <- rec.ID
			return true
		}
		w.r.log.Error("publish outbox record; will retry", "topic", w.topic, "outbox_id", rec.ID, "error", err)
		sleep(ctx, w.r.cfg.PollInterval)
	}
	return false
}

func (w *worker) stopping() bool {
	select {
	case <-w.r.stopping:
		return true
	default:
		return false
	}
}
