package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// TestCommit_waiting_calls_share_one_transaction checks the batching
// itself: calls queued while the writer is busy run in one transaction, so
// none of them is visible to readers before all of them are.
func TestCommit_waiting_calls_share_one_transaction(t *testing.T) {
	s, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Update(ctx, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertContact(ctx, core.Contact{ID: "c"}); err != nil {
			return err
		}
		return tx.InsertConversation(ctx, core.Conversation{ID: "v", ContactID: "c", Status: core.StatusOpen})
	})
	if err != nil {
		t.Fatal(err)
	}

	started, gate := make(chan struct{}), make(chan struct{})
	go s.Update(ctx, func(context.Context, core.Tx) error { close(started); <-gate; return nil })
	<-started
	const n = 50
	var wg sync.WaitGroup
	seen := make([]int, n) // committed messages a reader saw while the call ran
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(ctx context.Context, tx core.Tx) error {
				ms, err := s.Messages(ctx, "v") // the read-only pool: committed rows only
				seen[i] = len(ms)
				if err != nil {
					return err
				}
				if i == 7 {
					return errors.New("boom")
				}
				return tx.InsertMessage(ctx, core.Message{ID: fmt.Sprint("m", i), ConversationID: "v", Channel: "crm"})
			})
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); len(s.ops) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("queued calls = %d, want %d", len(s.ops), n)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	for i := range n {
		if seen[i] != 0 {
			t.Errorf("call %d saw %d committed messages, want 0 (one shared transaction)", i, seen[i])
		}
		if (errs[i] != nil) != (i == 7) {
			t.Errorf("call %d error = %v", i, errs[i])
		}
	}
	ms, err := s.Messages(ctx, "v")
	if err != nil || len(ms) != n-1 {
		t.Errorf("Messages() = %d, %v; want %d", len(ms), err, n-1)
	}
}
