package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestOutbox_enqueue_pending_done(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		for _, key := range []string{"a", "b", "c"} {
			if err := tx.Enqueue(ctx, core.OutboxRecord{Topic: "events", Key: key, Payload: []byte("p" + key), CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	recs, err := s.OutboxPending(ctx, 0, 10)
	if err != nil {
		t.Fatalf("OutboxPending() error = %v", err)
	}
	if len(recs) != 3 {
		t.Fatalf("OutboxPending() = %d records, want 3", len(recs))
	}
	for i, key := range []string{"a", "b", "c"} {
		r := recs[i]
		if r.Key != key || string(r.Payload) != "p"+key || r.Topic != "events" || !r.CreatedAt.Equal(t0) {
			t.Errorf("record %d = %+v, want key %s in order", i, r, key)
		}
		if i > 0 && r.ID <= recs[i-1].ID {
			t.Errorf("record ids not increasing: %d after %d", r.ID, recs[i-1].ID)
		}
	}
	after, err := s.OutboxPending(ctx, recs[0].ID, 10)
	if err != nil || len(after) != 2 {
		t.Errorf("OutboxPending(after first) = %d, %v; want 2", len(after), err)
	}
	if err := s.OutboxDone(ctx, []int64{recs[0].ID, recs[1].ID}); err != nil {
		t.Fatalf("OutboxDone() error = %v", err)
	}
	left, err := s.OutboxPending(ctx, 0, 10)
	if err != nil || len(left) != 1 || left[0].Key != "c" {
		t.Errorf("after OutboxDone, pending = %+v, %v; want only c", left, err)
	}
	// Ids are never reused, even once the newest record is gone.
	if err := s.OutboxDone(ctx, []int64{left[0].ID}); err != nil {
		t.Fatal(err)
	}
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.Enqueue(ctx, core.OutboxRecord{Topic: "events", Payload: nil})
	})
	next, err := s.OutboxPending(ctx, 0, 10)
	if err != nil || len(next) != 1 || next[0].ID <= left[0].ID {
		t.Errorf("new record = %+v, %v; want an id above %d", next, err, left[0].ID)
	}
}

func TestOutbox_signal_follows_commits_that_enqueue(t *testing.T) {
	s, _ := open(t)
	drain := func() {
		select {
		case <-s.OutboxSignal():
		default:
		}
	}
	signalled := func() bool {
		select {
		case <-s.OutboxSignal():
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	}
	drain()
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.InsertNotification(ctx, core.Notification{ID: "n1", OperatorID: "o", Type: "x", CreatedAt: t0})
	})
	if signalled() {
		t.Errorf("signal after a commit without Enqueue, want none")
	}
	err := s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
		if err := tx.Enqueue(ctx, core.OutboxRecord{Topic: "events"}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("Update() error = nil")
	}
	if signalled() {
		t.Errorf("signal after a rolled back Enqueue, want none")
	}
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.Enqueue(ctx, core.OutboxRecord{Topic: "events"})
	})
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.Enqueue(ctx, core.OutboxRecord{Topic: "events"})
	})
	if !signalled() {
		t.Errorf("no signal after commits that enqueued")
	}
	if signalled() {
		t.Errorf("a second signal was buffered, want the buffer of one to coalesce them")
	}
	if recs, err := s.OutboxPending(context.Background(), 0, 10); err != nil || len(recs) != 2 {
		t.Errorf("pending = %d, %v; want 2", len(recs), err)
	}
}
