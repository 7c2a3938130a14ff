package inbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

const password = "correct horse battery"

// fakeChannel is the conversation channel: it records what it is asked to
// send and accepts only PNG and JPEG files, like a narrowed webhook channel.
type fakeChannel struct {
	mu      sync.Mutex
	sent    []core.Outbound
	deleted []string
}

// Delete records the deletion of a sent message on the contact's side.
func (f *fakeChannel) Delete(_ context.Context, m core.Message, _ core.ContactRef) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, m.ID)
	return nil
}

func (f *fakeChannel) Send(_ context.Context, out core.Outbound) (core.SendReceipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, out)
	return core.SendReceipt{ProviderMessageID: fmt.Sprintf("prov-%d", len(f.sent))}, nil
}

func (f *fakeChannel) Capabilities() core.Capabilities {
	return core.Capabilities{
		Label: "CRM", Attachments: []string{"image/png", "image/jpeg"}, AttachmentsLabel: "PNG and JPEG images",
		MaxAttachmentSize: 1 << 20, DeleteSent: true, Verification: "external", Proactive: "yes",
	}
}

func (f *fakeChannel) Sent() []core.Outbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]core.Outbound(nil), f.sent...)
}

// env is a hub on SQLite and a blob directory in t.TempDir, served by the
// operator API over loopback, with an admin and two operators logged in.
type env struct {
	t       *testing.T
	hub     *core.Hub
	store   *sqlite.Store
	srv     *inbox.Server
	http    *httptest.Server
	blobDir string
	channel *fakeChannel

	admin, anna, ben account

	outboxSeen int64
	providerID atomic.Int64
}

type account struct {
	ID    string
	Email string
	Token string
}

func newEnv(t *testing.T, cfg inbox.Config) *env {
	t.Helper()
	dir := t.TempDir()
	store, blobs := coretest.OpenStorage(t, dir)
	blobDir := filepath.Join(dir, "blobs")
	ch := &fakeChannel{}
	hub, err := core.NewHub(core.HubConfig{
		Store: store, Blobs: blobs,
		Channels: []core.ChannelInfo{{Name: "crm", Type: "webhook", Adapter: ch}},
	})
	if err != nil {
		t.Fatalf("new hub: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := inbox.New(cfg, hub, logger)
	if err != nil {
		t.Fatalf("inbox.New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	e := &env{t: t, hub: hub, store: store, srv: srv, http: ts, blobDir: blobDir, channel: ch}
	e.admin = e.operator("admin@example.com", "Ada Admin", core.RoleAdmin)
	e.anna = e.operator("anna@example.com", "Anna Operator", core.RoleOperator)
	e.ben = e.operator("ben@example.com", "Ben Operator", core.RoleOperator)
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// operator creates an operator and logs them in through the API.
func (e *env) operator(email, name string, role core.Role) account {
	e.t.Helper()
	op, err := e.hub.CreateOperator(context.Background(), core.NewOperator{Email: email, Name: name, Password: password, Role: role})
	if err != nil {
		e.t.Fatalf("create operator %s: %v", email, err)
	}
	res := e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": email, "password": password})
	res.want(http.StatusOK)
	var login struct{ Token string }
	res.decode(&login)
	return account{ID: op.ID, Email: email, Token: login.Token}
}

// receive stores a contact message as the channel adapter would.
func (e *env) receive(contactID, text string) core.Receipt {
	e.t.Helper()
	rcpt, err := e.hub.Receive(context.Background(), core.Inbound{
		Channel: "crm", ChannelType: "webhook", Kind: core.KindMessage,
		ProviderMessageID: fmt.Sprintf("in-%d", e.providerID.Add(1)),
		Contact:           core.ContactRef{ID: contactID, Name: "Contact " + contactID, Email: contactID + "@example.org"},
		Text:              text,
	})
	if err != nil {
		e.t.Fatalf("receive: %v", err)
	}
	return rcpt
}

// assigned receives a first message from a new contact and assigns the
// conversation to who.
func (e *env) assigned(contactID string, who account) string {
	e.t.Helper()
	rcpt := e.receive(contactID, "Hello, I need help")
	e.do(http.MethodPost, "/api/v1/conversations/"+rcpt.ConversationID+"/assign", who.Token,
		map[string]any{"operator": "me"}).want(http.StatusOK)
	return rcpt.ConversationID
}

// outbox returns the records committed since the last call, oldest first.
func (e *env) outbox() []core.OutboxRecord {
	e.t.Helper()
	recs, err := e.store.OutboxPending(context.Background(), e.outboxSeen, 10000)
	if err != nil {
		e.t.Fatalf("outbox: %v", err)
	}
	if n := len(recs); n > 0 {
		e.outboxSeen = recs[n-1].ID
	}
	return recs
}

// relay does the bus's work for the records committed since the last
// call: events go to the live feed, deliveries to their channel.
func (e *env) relay() {
	e.t.Helper()
	for _, rec := range e.outbox() {
		var err error
		switch rec.Topic {
		case core.TopicEvents:
			err = e.srv.PublishEvent(rec.Payload)
		case core.OutboundTopic("crm"):
			err = e.hub.Deliver(context.Background(), rec.Payload)
		}
		if err != nil {
			e.t.Fatalf("relay %s: %v", rec.Topic, err)
		}
	}
}

// blobFiles counts the files in the blob directory.
func (e *env) blobFiles() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.t.Fatalf("walk blobs: %v", err)
	}
	return n
}

// response is an answer of the API under test.
type response struct {
	t      *testing.T
	method string
	path   string
	status int
	header http.Header
	body   []byte
}

// do calls the API with a bearer token ("" for none) and a JSON body (nil
// for none).
func (e *env) do(method, path, token string, body any) *response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) *response {
	e.t.Helper()
	return sendWith(e.t, http.DefaultClient, req)
}

func sendWith(t *testing.T, c *http.Client, req *http.Request) *response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return &response{t: t, method: req.Method, path: req.URL.Path, status: resp.StatusCode, header: resp.Header, body: b}
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s %s: status got = %d, want %d; body %s", r.method, r.path, r.status, status, r.body)
	}
	return r
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s %s: decode %s: %v", r.method, r.path, r.body, err)
	}
}

// apiError is the error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks status and error code and returns the message.
func (r *response) wantError(status int, code string) string {
	r.t.Helper()
	r.want(status)
	var e apiError
	r.decode(&e)
	if e.Error.Code != code {
		r.t.Fatalf("%s %s: error code got = %q, want %q; body %s", r.method, r.path, e.Error.Code, code, r.body)
	}
	if e.Error.Message == "" {
		r.t.Fatalf("%s %s: error without message: %s", r.method, r.path, r.body)
	}
	return e.Error.Message
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// conversation is the API's conversation shape, as far as tests look.
type conversation struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Labels   []string `json:"labels"`
	Channel  string   `json:"channel"`
	Topic    string   `json:"topic"`
	Assignee *string  `json:"assignee"`
	Contact  struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"contact"`
	LastMessage string `json:"last_message"`
}

type message struct {
	ID          string `json:"id"`
	Direction   string `json:"direction"`
	Text        string `json:"text"`
	Note        bool   `json:"note"`
	Status      string `json:"status"`
	Author      string `json:"author"`
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
		Voice       bool   `json:"voice"`
	} `json:"attachments"`
}

func (e *env) list(token, query string) []conversation {
	e.t.Helper()
	var out struct{ Conversations []conversation }
	e.do(http.MethodGet, "/api/v1/conversations"+query, token, nil).want(http.StatusOK).decode(&out)
	return out.Conversations
}

func (e *env) messages(token, convID string) []message {
	e.t.Helper()
	var out struct{ Messages []message }
	e.do(http.MethodGet, "/api/v1/conversations/"+convID+"/messages", token, nil).want(http.StatusOK).decode(&out)
	return out.Messages
}

func ids(cs []conversation) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
