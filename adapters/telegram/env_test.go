package telegram

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// env is one bot adapter wired to a real hub (SQLite store and file blob
// store in a temporary directory) and a fake Bot API.
type env struct {
	t     *testing.T
	bot   *fakeBot
	ad    *Adapter
	hub   *core.Hub
	store *sqlite.Store
	blobs *blobfs.Store
	dir   string
	clock *testClock
}

// hubReceiver lets the adapter be built before the hub that receives its
// updates, as the composition root does.
type hubReceiver struct{ hub *core.Hub }

func (r *hubReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return r.hub.Receive(ctx, in)
}

// newEnv builds an env in mode against a new fake Bot API.
func newEnv(t *testing.T, mode string) *env {
	t.Helper()
	bot := newFakeBot(t)
	return newEnvWith(t, bot, bot.config(mode), t.TempDir())
}

// newEnvWith builds the adapter and hub on the store in dir, so that a
// second env on the same dir is the hub after a restart.
func newEnvWith(t *testing.T, bot *fakeBot, cfg Config, dir string) *env {
	t.Helper()
	st, blobs := coretest.OpenStorage(t, dir)
	recv := &hubReceiver{}
	ad, err := New("telegram", cfg, Deps{Receiver: recv, Blobs: blobs, State: core.StoreState(st, "telegram"), Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	clock := &testClock{}
	hub, err := core.NewHub(core.HubConfig{
		Store: st, Blobs: blobs, Clock: clock,
		Channels: []core.ChannelInfo{{Name: "telegram", Type: Type, Adapter: ad}},
		Logger:   testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	recv.hub = hub
	return &env{t: t, bot: bot, ad: ad, hub: hub, store: st, blobs: blobs, dir: dir, clock: clock}
}

// post sends a webhook request to the adapter's handler.
func (e *env) post(body string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/telegram", strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.ad.Handler().ServeHTTP(rec, req)
	return rec
}

// signed is the header Telegram sends with the right secret token.
func signed() http.Header {
	return http.Header{"Content-Type": {"application/json"}, HeaderSecretToken: {testSecret}}
}

// message returns the stored message with a provider id, or false.
func (e *env) message(providerID string) (core.Message, bool) {
	e.t.Helper()
	m, err := e.store.MessageByProviderID(context.Background(), "telegram", providerID)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return core.Message{}, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return m, true
}

// messageCount is how many messages the hub holds, notes included.
func (e *env) messageCount() int {
	e.t.Helper()
	ctx := context.Background()
	n := 0
	for _, v := range []core.View{core.ViewAll, core.ViewFiltered, core.ViewTrash} {
		convs, err := e.store.Conversations(ctx, core.ConversationQuery{View: v, Limit: 1000})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, c := range convs {
			msgs, err := e.store.Messages(ctx, c.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			n += len(msgs)
		}
	}
	return n
}

// blob reads a stored attachment.
func (e *env) blob(ref string) []byte {
	e.t.Helper()
	rc, err := e.blobs.Open(context.Background(), ref)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// putBlob stores data and describes it as an operator's attachment.
func (e *env) putBlob(name string, data []byte, voice bool) core.Attachment {
	e.t.Helper()
	b, err := e.blobs.Put(context.Background(), bytes.NewReader(data), core.MaxUpload)
	if err != nil {
		e.t.Fatal(err)
	}
	return core.Attachment{Filename: name, MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref, Voice: voice}
}

// testLogger writes to the test log, so a failing test shows what the
// adapter logged.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
