package sqlite

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/switchboard-hq/switchboard/core"
)

// op is one queued Update call.
type op struct {
	ctx  context.Context
	fn   func(context.Context, core.Tx) error
	err  error
	done chan error // buffered; receives err once the op is settled

	ran      bool // fn ran and returned nil: its writes are in the transaction
	enqueued bool // fn wrote to the outbox
}

var opPool = sync.Pool{New: func() any { return &op{done: make(chan error, 1)} }}

func getOp(ctx context.Context, fn func(context.Context, core.Tx) error) *op {
	o := opPool.Get().(*op)
	o.ctx, o.fn = ctx, fn
	return o
}

func putOp(o *op) {
	*o = op{done: o.done}
	opPool.Put(o)
}

// run is the writer goroutine: it takes the first waiting op, drains up to
// MaxBatch-1 more without waiting, and commits them together. It returns
// when ops is closed and drained.
func (s *Store) run() {
	defer close(s.done)
	batch := make([]*op, 0, s.cfg.MaxBatch)
	for o := range s.ops {
		batch = append(batch[:0], o)
	fill:
		for len(batch) < s.cfg.MaxBatch {
			select {
			case o, ok := <-s.ops:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.commit(batch)
		clear(batch)
	}
}

// commit runs batch in one transaction, each op in its own savepoint, and
// settles every op.
func (s *Store) commit(batch []*op) {
	if err := s.w.exec("BEGIN IMMEDIATE"); err != nil {
		s.settle(batch, fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	// A lone op needs no savepoint: on error the whole transaction rolls
	// back. This keeps serial callers at three statements per commit.
	if len(batch) == 1 {
		s.step(batch[0])
		if batch[0].err != nil {
			s.rollback()
			s.settle(batch, nil)
			return
		}
	} else {
		for i, o := range batch {
			if err := s.stepSavepoint(o); err != nil {
				// SQLite rolled back the whole transaction (it does on
				// I/O errors, a full disk, an interrupt). The ops applied
				// so far are lost; those not yet run get a fresh start.
				s.log.Error("sqlite: transaction aborted", "err", err)
				s.rollback()
				s.settle(batch[:i+1], fmt.Errorf("sqlite: transaction aborted: %w", err))
				if rest := batch[i+1:]; len(rest) > 0 {
					s.commit(rest)
				}
				return
			}
		}
	}
	if err := s.index(); err != nil {
		// Search lags until the next commit retries; the writes stand.
		s.log.Error("sqlite: search index", "err", err)
	}
	if err := s.w.exec("COMMIT"); err != nil {
		s.rollback()
		s.settle(batch, fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	for _, o := range batch {
		if o.ran && o.enqueued {
			select {
			case s.signal <- struct{}{}:
			default:
			}
			break
		}
	}
	s.settle(batch, nil)
}

// step runs o unless its context has already ended.
func (s *Store) step(o *op) {
	if err := o.ctx.Err(); err != nil {
		o.err = err
		return
	}
	o.err = s.apply(o)
	o.ran = o.err == nil
}

// stepSavepoint runs o inside a savepoint, discarding its writes if it
// fails. It returns an error only if the transaction itself is lost.
func (s *Store) stepSavepoint(o *op) error {
	if err := o.ctx.Err(); err != nil {
		o.err = err
		return nil
	}
	if err := s.w.exec("SAVEPOINT op"); err != nil {
		return err
	}
	s.step(o)
	if o.err != nil {
		if err := s.w.exec("ROLLBACK TO op"); err != nil {
			return err
		}
	}
	return s.w.exec("RELEASE op")
}

// apply calls o.fn with a fresh Tx, turning a panic into an error.
func (s *Store) apply(o *op) (err error) {
	t := &tx{w: s.w}
	t.reader = reader{q: txQueryer{t}}
	defer func() {
		t.done.Store(true)
		o.enqueued = t.enqueued
		if r := recover(); r != nil {
			s.log.Error("sqlite: update panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("sqlite: update panicked: %v", r)
		}
	}()
	return o.fn(o.ctx, t)
}

func (s *Store) rollback() {
	if err := s.w.exec("ROLLBACK"); err != nil && !isNoTransaction(err) {
		s.log.Error("sqlite: rollback", "err", err)
	}
}

// settle reports each op's outcome: its own error if it failed, else err
// (nil after a successful commit).
func (s *Store) settle(batch []*op, err error) {
	for _, o := range batch {
		switch {
		case o.err != nil:
			o.done <- o.err
		case err != nil:
			o.done <- err
		default:
			o.done <- nil
		}
	}
}
