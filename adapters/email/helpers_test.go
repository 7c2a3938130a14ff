package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

const (
	channelName = "mail"
	hubDomain   = "hub.example.com"
	replyDomain = "reply.example.com"
)

// fixtureNow is the clock the fixtures README asks for.
var fixtureNow = time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)

// fixtureDir is the shared email fixtures, beside the repository.
const fixtureDir = "../../../shared/fixtures/email"

// emailCase is one entry of the fixtures manifest. Expect keeps raw values
// so that an omitted key (not checked) differs from null (must be absent).
type emailCase struct {
	File        string                     `json:"file"`
	Description string                     `json:"description"`
	Expect      map[string]json.RawMessage `json:"expect"`
}

func loadCases(t testing.TB) []emailCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatalf("the email fixtures are missing (%v): the shared fixtures must sit beside the repository at %s", err, fixtureDir)
	}
	var cases []emailCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	return cases
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// lateReceiver lets the adapter be built before the hub that receives its
// mail, as the composition root does.
type lateReceiver struct{ hub *core.Hub }

func (r *lateReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return r.hub.Receive(ctx, in)
}

// outcomes records what the adapter reports about each mail.
type outcomes struct {
	mu   sync.Mutex
	list []Outcome
}

func (o *outcomes) add(out Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, out)
}

func (o *outcomes) all() []Outcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Outcome(nil), o.list...)
}

// env is an email channel against in-process IMAP and SMTP servers, wired
// to a real hub on SQLite and a blob directory in a temp dir.
type env struct {
	t     *testing.T
	imap  *emailtest.IMAPServer
	smtp  *emailtest.SMTPServer
	store *sqlite.Store
	blobs core.BlobStore
	hub   *core.Hub
	ad    *Adapter
	cfg   Config
	seen  *outcomes
	// wrap, when set, wraps the hub's Receiver for the channel (to fail
	// or stop at a chosen mail); it is applied by build.
	wrap   func(Receiver) Receiver
	cancel context.CancelFunc
	done   chan struct{}
}

func testConfig(imapAddr, smtpAddr string) Config {
	return Config{
		Address:         "support@larkspur.example.com",
		MessageIDDomain: hubDomain,
		ReplyDomain:     replyDomain,
		MaxMessageBytes: 131072,
		IMAP: IMAPConfig{
			Addr: imapAddr, TLS: TLSNone, Username: emailtest.Username, Password: emailtest.Password,
			PollInterval: 200 * time.Millisecond, Timeout: 5 * time.Second,
			ReconnectMin: 20 * time.Millisecond, ReconnectMax: 200 * time.Millisecond,
		},
		SMTP: SMTPConfig{Addr: smtpAddr, TLS: TLSNone, From: "Larkspur Support <support@larkspur.example.com>", Timeout: 5 * time.Second},
	}
}

// newEnv builds servers, store, hub and channel; change adjusts the
// channel's configuration. Nothing runs until start.
func newEnv(t *testing.T, change func(*Config)) *env {
	t.Helper()
	e := &env{t: t, imap: emailtest.NewIMAPServer(t), smtp: emailtest.NewSMTPServer(t), seen: &outcomes{}}
	dir := t.TempDir()
	e.store, e.blobs = coretest.OpenStorage(t, dir)
	e.cfg = testConfig(e.imap.Addr(), e.smtp.Addr())
	if change != nil {
		change(&e.cfg)
	}
	e.build()
	return e
}

// build makes a fresh adapter and hub on the env's store: what a restart
// of the process does.
func (e *env) build() {
	e.t.Helper()
	late := &lateReceiver{}
	var recv Receiver = late
	if e.wrap != nil {
		recv = e.wrap(late)
	}
	ad, err := New(channelName, e.cfg, Deps{
		Receiver: recv, Blobs: e.blobs, State: core.StoreState(e.store, channelName),
		Store: func() Store { return e.store }, Now: func() time.Time { return fixtureNow },
		Observe: e.seen.add,
	})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	hub, err := core.NewHub(core.HubConfig{
		Store: e.store, Blobs: e.blobs, Mailer: ad,
		Channels: []core.ChannelInfo{{Name: channelName, Type: Type, Adapter: ad}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	late.hub = hub
	e.ad, e.hub = ad, hub
}

// start runs the channel until stop or the end of the test.
func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func(ad *Adapter, done chan struct{}) {
		defer close(done)
		if err := ad.Run(ctx); err != nil {
			e.t.Errorf("Run: %v", err)
		}
	}(e.ad, e.done)
	e.t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	<-e.done
	e.cancel = nil
}

// waitOutcomes waits until the channel reported at least n mails.
func (e *env) waitOutcomes(n int) []Outcome {
	e.t.Helper()
	waitFor(e.t, "mail to be handled", func() bool { return len(e.seen.all()) >= n })
	return e.seen.all()
}

// messages returns every message of the hub, by conversation.
func (e *env) conversations() []core.ConversationItem {
	e.t.Helper()
	var all []core.ConversationItem
	for _, v := range []core.View{core.ViewAll, core.ViewFiltered} {
		items, err := e.store.Conversations(context.Background(), core.ConversationQuery{View: v, Limit: 1000})
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, items...)
	}
	return all
}

// inboundCount counts the customer messages stored.
func (e *env) inboundCount() int {
	e.t.Helper()
	n := 0
	for _, c := range e.conversations() {
		msgs, err := e.store.Messages(context.Background(), c.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Direction == core.DirectionIn {
				n++
			}
		}
	}
	return n
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// operator creates an operator who takes conversation id.
func (e *env) operator(convID string) core.Operator {
	e.t.Helper()
	ctx := context.Background()
	op, err := e.store.OperatorByEmail(ctx, "sam@larkspur.example.com")
	if errors.Is(err, core.ErrNotFound) {
		op, err = e.hub.CreateOperator(ctx, core.NewOperator{Email: "sam@larkspur.example.com", Name: "Sam", Password: "correct horse battery", Role: core.RoleAdmin})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.hub.Assign(ctx, op, convID, core.Assignment{OperatorID: op.ID}); err != nil {
		e.t.Fatal(err)
	}
	return op
}

// reply sends an operator reply through the hub and delivers it as the bus
// would, returning the stored message afterwards.
func (e *env) reply(op core.Operator, convID, text string) core.Message {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.hub.Send(ctx, op, convID, core.Reply{Text: text})
	if err != nil {
		e.t.Fatalf("Send: %v", err)
	}
	payload, _ := json.Marshal(core.Delivery{MessageID: m.ID})
	if err := e.hub.Deliver(ctx, payload); err != nil {
		e.t.Fatalf("Deliver: %v", err)
	}
	m, err = e.store.Message(ctx, m.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// memState is a core.ChannelState in memory.
type memState struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemState() *memState { return &memState{m: map[string][]byte{}} }

func (s *memState) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("state %q: %w", key, core.ErrNotFound)
	}
	return v, nil
}

func (s *memState) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = append([]byte(nil), value...)
	return nil
}

func (s *memState) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func tempBlobs(t testing.TB) core.BlobStore {
	t.Helper()
	b, err := blobfs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
