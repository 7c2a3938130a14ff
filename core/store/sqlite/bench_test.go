package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// benchWorkers is how many goroutines call Update at once, as inbound
// webhooks do under load.
const benchWorkers = 64

// runUpdates calls op b.N times spread over workers goroutines and reports
// messages per second.
func runUpdates(b *testing.B, workers int, op func(i int64) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

func insertOne(s core.Store, i int64) error {
	return s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
		id := fmt.Sprintf("msg_%d", i)
		return tx.InsertMessage(ctx, message(id, "cnv_1", "crm", "p"+id, "hello there, order 4711 is late"))
	})
}

// BenchmarkUpdateConcurrent measures group commit: 64 goroutines, each
// Update inserting one message.
func BenchmarkUpdateConcurrent(b *testing.B) {
	s, _ := open(b)
	seed(b, s, "ctc_1", "cnv_1")
	runUpdates(b, benchWorkers, func(i int64) error { return insertOne(s, i) })
}

// BenchmarkUpdateSerial measures one caller: every Update is its own
// commit and fsync.
func BenchmarkUpdateSerial(b *testing.B) {
	s, _ := open(b)
	seed(b, s, "ctc_1", "cnv_1")
	runUpdates(b, 1, func(i int64) error { return insertOne(s, i) })
}

// BenchmarkInboundPath runs, per Update, what core.Hub.Receive does for a
// message from a known contact: duplicate check, contact and conversation
// lookup, message insert, conversation update and an outbox event. 1000
// contacts write concurrently.
func BenchmarkInboundPath(b *testing.B) {
	s, _ := open(b)
	const contacts = 1000
	update(b, s, func(ctx context.Context, tx core.Tx) error {
		for i := range contacts {
			id := fmt.Sprintf("ctc_%d", i)
			if err := tx.InsertContact(ctx, contact(id, "crm", "ext-"+id)); err != nil {
				return err
			}
			if err := tx.InsertConversation(ctx, conversation(fmt.Sprintf("cnv_%d", i), id, "crm")); err != nil {
				return err
			}
		}
		return nil
	})
	payload := make([]byte, 600)
	runUpdates(b, benchWorkers, func(i int64) error {
		return s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
			pid := fmt.Sprintf("p%d", i)
			if _, err := tx.MessageByProviderID(ctx, "crm", pid); !isNotFound(err) {
				return fmt.Errorf("duplicate check: %v", err)
			}
			c, err := tx.ContactByIdentity(ctx, "crm", fmt.Sprintf("ext-ctc_%d", i%contacts))
			if err != nil {
				return err
			}
			conv, err := tx.ActiveConversation(ctx, c.ID, "crm")
			if err != nil {
				return err
			}
			now := time.Now()
			m := message(fmt.Sprintf("msg_%d", i), conv.ID, "crm", pid, "hello there, order 4711 is late")
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			conv.ContactWrote(now)
			if err := tx.UpdateConversation(ctx, conv); err != nil {
				return err
			}
			return tx.Enqueue(ctx, core.OutboxRecord{Topic: core.TopicEvents, Key: conv.ID, Payload: payload, CreatedAt: now})
		})
	})
}
