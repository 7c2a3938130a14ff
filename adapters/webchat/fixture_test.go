package webchat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

const (
	testSecret = "test-widget-secret-0123456789abcdef"
	testOrigin = "https://shop.example.com"
)

// fixture is a real hub (SQLite and blobs in a temp dir) with one web chat
// widget "web" served on loopback, and an online operator.
type fixture struct {
	t     *testing.T
	hub   *core.Hub
	store *sqlite.Store
	blobs core.BlobStore
	ad    *Adapter
	srv   *httptest.Server
	op    core.Operator
}

type fixtureOption func(*Config, *core.HubConfig)

func withMailer(m core.Mailer) fixtureOption {
	return func(_ *Config, h *core.HubConfig) { h.Mailer = m }
}

func newFixture(t *testing.T, cfg Config, opts ...fixtureOption) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, blobs := coretest.OpenStorage(t, dir)
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	if cfg.AllowedOrigins == nil {
		cfg.AllowedOrigins = []string{testOrigin}
	}
	hc := core.HubConfig{Store: st, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(&cfg, &hc)
	}
	f := &fixture{t: t, store: st, blobs: blobs}
	f.srv = httptest.NewUnstartedServer(nil)
	ad, err := New("web", cfg, Deps{
		Receiver: receiverFunc(func(ctx context.Context, in core.Inbound) (core.Receipt, error) { return f.hub.Receive(ctx, in) }),
		Blobs:    blobs, State: core.StoreState(st, "web"),
		Hub:       func() Hub { return f.hub },
		PublicURL: "http://" + f.srv.Listener.Addr().String(),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ad = ad
	hc.Channels = []core.ChannelInfo{{Name: "web", Type: Type, Adapter: ad}}
	if f.hub, err = core.NewHub(hc); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range ad.Routes() {
		mux.Handle(p, h)
	}
	dirRoutes := NewDirectory()
	dirRoutes.Add(ad)
	for p, h := range dirRoutes.Routes() {
		mux.Handle(p, h)
	}
	f.srv.Config.Handler = mux
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ad.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	f.op, err = f.hub.CreateOperator(ctx, core.NewOperator{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery", Slots: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.hub.SetPresence(ctx, f.op.ID, core.Online); err != nil {
		t.Fatal(err)
	}
	return f
}

type receiverFunc func(context.Context, core.Inbound) (core.Receipt, error)

func (r receiverFunc) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return r(ctx, in)
}

// reply sends an operator message and delivers it as the bus would: the
// hub's Deliver for every queued outbound record.
func (f *fixture) reply(conversationID, text string, atts ...core.Attachment) core.Message {
	f.t.Helper()
	m, err := f.hub.Send(context.Background(), f.op, conversationID, core.Reply{Text: text, Attachments: atts})
	if err != nil {
		f.t.Fatal(err)
	}
	f.pump()
	return m
}

// pump relays the outbox like the bus: deliveries go to the hub's Deliver,
// events are dropped.
func (f *fixture) pump() {
	f.t.Helper()
	ctx := context.Background()
	for {
		recs, err := f.store.OutboxPending(ctx, 0, 100)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(recs) == 0 {
			return
		}
		var ids []int64
		for _, r := range recs {
			if r.Topic == core.OutboundTopic("web") {
				if err := f.hub.Deliver(ctx, r.Payload); err != nil {
					f.t.Fatalf("deliver: %v", err)
				}
			}
			ids = append(ids, r.ID)
		}
		if err := f.store.OutboxDone(ctx, ids); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) wsURL() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/webchat/web/ws"
}

// visitor is a widget as a test drives it: a real WebSocket client.
type visitor struct {
	t       *testing.T
	ws      *websocket.Conn
	frames  chan frame
	welcome frame
}

// frame is a server frame as JSON.
type frame map[string]any

func (fr frame) str(k string) string { s, _ := fr[k].(string); return s }

func (fr frame) message() frame {
	m, _ := fr["message"].(map[string]any)
	return m
}

func (fr frame) list(k string) []frame {
	var out []frame
	raw, _ := fr[k].([]any)
	for _, x := range raw {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

// dial opens a socket with the test origin and no hello.
func (f *fixture) dial(header http.Header) (*websocket.Conn, *http.Response, error) {
	if header == nil {
		header = http.Header{"Origin": {testOrigin}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return websocket.Dial(ctx, f.wsURL(), &websocket.DialOptions{HTTPHeader: header})
}

// connect opens a socket, says hello and waits for the welcome.
func (f *fixture) connect(hello map[string]any) *visitor {
	f.t.Helper()
	v := f.open(hello)
	v.welcome = v.next("welcome")
	return v
}

// open opens a socket and says hello without waiting.
func (f *fixture) open(hello map[string]any) *visitor {
	f.t.Helper()
	ws, _, err := f.dial(nil)
	if err != nil {
		f.t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(16 << 20)
	v := &visitor{t: f.t, ws: ws, frames: make(chan frame, 1024)}
	f.t.Cleanup(func() { ws.CloseNow() })
	go func() {
		defer close(v.frames)
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			var fr frame
			if json.Unmarshal(data, &fr) == nil {
				v.frames <- fr
			}
		}
	}()
	if hello == nil {
		hello = map[string]any{}
	}
	hello["type"] = "hello"
	v.send(hello)
	return v
}

func (v *visitor) send(fr map[string]any) {
	v.t.Helper()
	b, _ := json.Marshal(fr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.ws.Write(ctx, websocket.MessageText, b); err != nil {
		v.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame of type typ, skipping others, or fails after
// 5 seconds.
func (v *visitor) next(typ string) frame {
	v.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case fr, ok := <-v.frames:
			if !ok {
				v.t.Fatalf("socket closed while waiting for a %s frame", typ)
			}
			if fr.str("type") == typ {
				return fr
			}
		case <-timeout:
			v.t.Fatalf("no %s frame within 5s", typ)
		}
	}
}

// quiet collects the frames that arrive within d.
func (v *visitor) quiet(d time.Duration) []frame {
	var out []frame
	deadline := time.After(d)
	for {
		select {
		case fr, ok := <-v.frames:
			if !ok {
				return out
			}
			out = append(out, fr)
		case <-deadline:
			return out
		}
	}
}

// write sends a visitor message and returns the stored message of the
// "sent" confirmation.
func (v *visitor) write(id, text string, files ...string) frame {
	v.t.Helper()
	fr := map[string]any{"type": "message", "id": id, "text": text}
	if len(files) > 0 {
		fr["files"] = files
	}
	v.send(fr)
	for {
		got := v.next("sent")
		if got.str("id") == id {
			return got.message()
		}
	}
}

func (v *visitor) token() string { return v.welcome.str("token") }

// conversationOf returns the conversation of a stored message.
func (f *fixture) conversationOf(messageID string) core.Conversation {
	f.t.Helper()
	m, err := f.store.Message(context.Background(), messageID)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.store.Conversation(context.Background(), m.ConversationID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ids(frames []frame) []string {
	var out []string
	for _, fr := range frames {
		out = append(out, fr.str("id"))
	}
	return out
}

func texts(frames []frame) []string {
	var out []string
	for _, fr := range frames {
		out = append(out, fr.str("text"))
	}
	return out
}

func sprintfAll(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i+1)
	}
	return out
}
