package bus_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/bus"
	"github.com/switchboard-hq/switchboard/core"
)

// fakeOutbox is an in-memory core.Outbox: records in ID order, a done set,
// and a signal channel like the store's.
type fakeOutbox struct {
	mu        sync.Mutex
	recs      []core.OutboxRecord // ID order; done ones are dropped lazily
	done      map[int64]bool
	nextID    int64
	doneCalls int
	doneTotal int
	readErr   error // returned by OutboxPending while set
	signal    chan struct{}
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{done: map[int64]bool{}, signal: make(chan struct{}, 1)}
}

// add enqueues a record as a committed Tx would, and signals.
func (o *fakeOutbox) add(topic, key, payload string) int64 {
	o.mu.Lock()
	o.nextID++
	id := o.nextID
	o.recs = append(o.recs, core.OutboxRecord{ID: id, Topic: topic, Key: key, Payload: []byte(payload), CreatedAt: time.Now()})
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
	return id
}

func (o *fakeOutbox) OutboxPending(ctx context.Context, after int64, limit int) ([]core.OutboxRecord, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.readErr != nil {
		return nil, o.readErr
	}
	var out []core.OutboxRecord
	i := sort.Search(len(o.recs), func(i int) bool { return o.recs[i].ID > after })
	for ; i < len(o.recs) && len(out) < limit; i++ {
		if !o.done[o.recs[i].ID] {
			out = append(out, o.recs[i])
		}
	}
	return out, nil
}

func (o *fakeOutbox) OutboxDone(ctx context.Context, ids []int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.doneCalls++
	for _, id := range ids {
		if !o.done[id] {
			o.done[id] = true
			o.doneTotal++
		}
	}
	if len(o.done) > 1024 && len(o.done) > len(o.recs)/2 {
		o.recs = slices.DeleteFunc(o.recs, func(r core.OutboxRecord) bool { return o.done[r.ID] })
		clear(o.done)
	}
	return nil
}

func (o *fakeOutbox) OutboxSignal() <-chan struct{} { return o.signal }

// pending returns the IDs not yet done.
func (o *fakeOutbox) pending() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []int64
	for _, r := range o.recs {
		if !o.done[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// doneCount is how many records were marked done, ever.
func (o *fakeOutbox) doneCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.doneTotal
}

func (o *fakeOutbox) setReadErr(err error) {
	o.mu.Lock()
	o.readErr = err
	o.mu.Unlock()
}

// fakeSink records poisoned messages; fail, while it returns an error, makes
// Poison fail.
type fakeSink struct {
	mu   sync.Mutex
	got  []core.Poisoned
	fail func(n int) error // n counts calls from 1
	n    int
}

func (s *fakeSink) Poison(ctx context.Context, p core.Poisoned) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.fail != nil {
		if err := s.fail(s.n); err != nil {
			return err
		}
	}
	s.got = append(s.got, p)
	return nil
}

func (s *fakeSink) poisoned() []core.Poisoned {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// testConfig is a config with fast retries for tests.
func testConfig(o *fakeOutbox, sink bus.PoisonSink) bus.Config {
	cfg := bus.Config{
		Outbox: o,
		Poison: sink,
		Retry:  bus.RetryConfig{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 4 * time.Millisecond},
		Relay:  bus.RelayConfig{PollInterval: 20 * time.Millisecond, DoneInterval: 2 * time.Millisecond},
	}
	if o == nil {
		cfg.Outbox = nil // a nil *fakeOutbox is not a nil core.Outbox
	}
	return cfg
}

func newBus(t testing.TB, cfg bus.Config) *bus.Bus {
	t.Helper()
	b, err := bus.New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// start runs b until the returned stop is called (or the test ends) and
// checks that Run then returns nil.
func start(t testing.TB, b *bus.Bus) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	select {
	case <-b.Running():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("bus not running after 5s")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return 10s after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually fails the test unless cond holds within 5s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// noLeaks checks, at the end of the test, that the goroutines it started
// are gone.
func noLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				n := runtime.Stack(buf, true)
				t.Errorf("goroutines: got %d, want at most %d\n%s", runtime.NumGoroutine(), before, buf[:n])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// recorder collects what a handler saw.
type recorder struct {
	mu  sync.Mutex
	got []bus.Message
}

func (r *recorder) handle(ctx context.Context, m bus.Message) error {
	r.mu.Lock()
	r.got = append(r.got, m)
	r.mu.Unlock()
	return nil
}

func (r *recorder) payloads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.got))
	for i, m := range r.got {
		out[i] = string(m.Payload)
	}
	return out
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return out
}
