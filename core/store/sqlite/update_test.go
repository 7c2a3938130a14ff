package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// holdWriter parks the writer inside an Update until the returned release
// is called, so that later Updates queue up behind it.
func holdWriter(t *testing.T, s core.Store) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(context.Context, core.Tx) error {
			close(started)
			<-gate
			return nil
		})
	}()
	<-started
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("holding Update error = %v", err)
		}
	}
}

func TestUpdate_a_failing_call_does_not_roll_back_the_others(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	boom := errors.New("boom")
	const n, failing = 50, 25

	release := holdWriter(t, s)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
				id := fmt.Sprintf("msg_%d", i)
				if err := tx.InsertMessage(ctx, message(id, "cnv_1", "crm", "p"+id, "text")); err != nil {
					return err
				}
				if err := tx.Enqueue(ctx, core.OutboxRecord{Topic: "events", Key: id, Payload: []byte(id)}); err != nil {
					return err
				}
				if i == failing {
					return boom
				}
				return nil
			})
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the calls queue behind the held writer
	release()
	wg.Wait()

	for i, err := range errs {
		want := error(nil)
		if i == failing {
			want = boom
		}
		if !errors.Is(err, want) {
			t.Errorf("Update #%d error = %v, want %v", i, err, want)
		}
	}
	ms, err := s.Messages(context.Background(), "cnv_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n-1 {
		t.Errorf("stored %d messages, want %d", len(ms), n-1)
	}
	if _, err := s.Message(context.Background(), fmt.Sprintf("msg_%d", failing)); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("failed call's message: error = %v, want ErrNotFound", err)
	}
	recs, err := s.OutboxPending(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n-1 {
		t.Errorf("outbox holds %d records, want %d", len(recs), n-1)
	}
}

func TestUpdate_a_panic_becomes_an_error_and_rolls_back(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	err := s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertMessage(ctx, message("msg_1", "cnv_1", "crm", "p1", "x")); err != nil {
			return err
		}
		panic("oops")
	})
	if err == nil {
		t.Fatalf("Update() error = nil, want the panic as an error")
	}
	if _, err := s.Message(context.Background(), "msg_1"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Message() after panic error = %v, want ErrNotFound", err)
	}
	// The writer survives.
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.InsertMessage(ctx, message("msg_2", "cnv_1", "crm", "p2", "x"))
	})
}

func TestUpdate_cancelled_before_it_starts_is_skipped(t *testing.T) {
	s, _ := open(t)
	release := holdWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(context.Context, core.Tx) error { ran = true; return nil })
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Update() error = %v, want context.Canceled", err)
	}
	if ran {
		t.Errorf("fn ran, want it skipped")
	}
}

func TestUpdate_tx_kept_after_fn_returns_is_refused(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	var kept core.Tx
	update(t, s, func(ctx context.Context, tx core.Tx) error { kept = tx; return nil })
	err := s.Update(context.Background(), func(ctx context.Context, _ core.Tx) error {
		return kept.InsertMessage(ctx, message("msg_1", "cnv_1", "crm", "p1", "x"))
	})
	if err == nil {
		t.Errorf("write through a kept Tx error = nil, want an error")
	}
	if _, err := kept.Contact(context.Background(), "ctc_1"); err == nil {
		t.Errorf("read through a kept Tx error = nil, want an error")
	}
}

func TestClose_commits_queued_updates_then_refuses_new_ones(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	release := holdWriter(t, s)
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
				id := fmt.Sprintf("msg_%d", i)
				return tx.InsertMessage(ctx, message(id, "cnv_1", "crm", id, "x"))
			})
		}()
	}
	time.Sleep(20 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	release()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	for i, err := range errs {
		if err != nil && !errors.Is(err, sqlite.ErrClosed) {
			t.Errorf("Update #%d error = %v, want nil or ErrClosed", i, err)
		}
	}
	err := s.Update(context.Background(), func(context.Context, core.Tx) error { return nil })
	if !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Update() after Close error = %v, want ErrClosed", err)
	}
}
