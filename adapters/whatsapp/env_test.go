package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// testChannel is the channel instance every test adapter is named.
const testChannel = "whatsapp"

// fixtureNow is the clock the fixtures README asks for.
var fixtureNow = time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)

// fakeClock is a settable clock shared by the hub and the adapter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// call is one thing the adapter handed to the hub.
type call struct {
	in      core.Inbound
	receipt core.Receipt
	err     error
}

// recorder is the adapter's Receiver: it records every call and passes it
// to the real hub, or fails without storing while fail is set.
type recorder struct {
	mu    sync.Mutex
	hub   *core.Hub
	calls []call
	fail  error
}

func (r *recorder) failWith(err error) {
	r.mu.Lock()
	r.fail = err
	r.mu.Unlock()
}

func (r *recorder) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		return core.Receipt{}, fail
	}
	rc, err := r.hub.Receive(ctx, in)
	r.mu.Lock()
	r.calls = append(r.calls, call{in: in, receipt: rc, err: err})
	r.mu.Unlock()
	return rc, err
}

func (r *recorder) since(n int) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls[n:]...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// hubEnv is a real hub (SQLite and blob files in a temp dir) for an
// adapter under test.
type hubEnv struct {
	t     *testing.T
	clock *fakeClock
	store *sqlite.Store
	blobs *blobfs.Store
	hub   *core.Hub
	rec   *recorder
}

func newHubEnv(t *testing.T) *hubEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: dir + "/hub.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(dir + "/blobs")
	if err != nil {
		t.Fatal(err)
	}
	return &hubEnv{t: t, clock: &fakeClock{now: fixtureNow}, store: st, blobs: blobs, rec: &recorder{}}
}

// start builds the hub around adapter a.
func (e *hubEnv) start(a *Adapter) {
	e.t.Helper()
	hub, err := core.NewHub(core.HubConfig{
		Store: e.store, Blobs: e.blobs, Clock: e.clock,
		Channels: []core.ChannelInfo{{Name: testChannel, Type: Type, Adapter: a}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.hub, e.rec.hub = hub, hub
}

func (e *hubEnv) deps() Deps {
	return Deps{Receiver: e.rec, Blobs: e.blobs, State: core.StoreState(e.store, testChannel), Now: e.clock.Now, Auth: authFunc(e.authenticate)}
}

// authenticate resolves session tokens through the hub, once it exists.
func (e *hubEnv) authenticate(ctx context.Context, token string) (core.Operator, error) {
	return e.hub.Authenticate(ctx, token)
}

type authFunc func(ctx context.Context, token string) (core.Operator, error)

func (f authFunc) Authenticate(ctx context.Context, token string) (core.Operator, error) {
	return f(ctx, token)
}

// operator creates an operator of role and returns them with a session
// token.
func (e *hubEnv) operator(email string, role core.Role) (core.Operator, string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.hub.CreateOperator(ctx, core.NewOperator{Email: email, Name: email, Password: "correct horse battery", Role: role}); err != nil {
		e.t.Fatal(err)
	}
	token, op, err := e.hub.Login(ctx, email, "correct horse battery")
	if err != nil {
		e.t.Fatal(err)
	}
	return op, token
}

// assign gives the conversation of the contact's message providerID to a
// new operator, who may then reply.
func (e *hubEnv) assign(providerID string) (core.Operator, string) {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.store.MessageByProviderID(ctx, testChannel, providerID)
	if err != nil {
		e.t.Fatalf("%s not stored: %v", providerID, err)
	}
	op, _ := e.operator(fmt.Sprintf("ann%d@example.com", e.rec.count()), core.RoleOperator)
	if _, err := e.hub.Assign(ctx, op, m.ConversationID, core.Assignment{OperatorID: op.ID}); err != nil {
		e.t.Fatal(err)
	}
	return op, m.ConversationID
}

// deliver runs the bus's delivery of a queued message once.
func (e *hubEnv) deliver(m core.Message) error {
	return e.hub.Deliver(context.Background(), []byte(`{"message_id":"`+m.ID+`"}`))
}

func (e *hubEnv) message(id string) core.Message {
	e.t.Helper()
	m, err := e.store.Message(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// attachment stores data as a blob, as the inbox does with an upload.
func (e *hubEnv) attachment(name string, data []byte) core.Attachment {
	e.t.Helper()
	b, err := e.blobs.Put(context.Background(), bytesReader(data), core.MaxUpload)
	if err != nil {
		e.t.Fatal(err)
	}
	return core.Attachment{Filename: name, MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
