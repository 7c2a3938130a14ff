package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// testSecret is the Standard Webhooks specification's example secret.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// testNow is the fixed clock of the tests.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func testKey(t testing.TB) []byte {
	t.Helper()
	key, err := ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// memBlobs is a core.BlobStore in memory, content-addressed like the real
// one, sniffing MIME types with http.DetectContentType.
type memBlobs struct {
	mu    sync.Mutex
	blobs map[string][]byte
	err   error // returned by Put when set
}

func newMemBlobs() *memBlobs { return &memBlobs{blobs: make(map[string][]byte)} }

func (m *memBlobs) Put(ctx context.Context, r io.Reader, limit int64) (core.Blob, error) {
	if m.err != nil {
		return core.Blob{}, m.err
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return core.Blob{}, err
	}
	if int64(len(data)) > limit {
		return core.Blob{}, core.TooLargef("file is larger than %d bytes", limit)
	}
	sum := sha256.Sum256(data)
	ref := hex.EncodeToString(sum[:])
	m.mu.Lock()
	m.blobs[ref] = data
	m.mu.Unlock()
	return core.Blob{Ref: ref, Size: int64(len(data)), MIMEType: http.DetectContentType(data)}, nil
}

func (m *memBlobs) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.blobs[ref]
	if !ok {
		return nil, core.NotFoundf("blob %s", ref)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (m *memBlobs) Delete(ctx context.Context, ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, ref)
	return nil
}

func (m *memBlobs) get(ref string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.blobs[ref]
}

// fakeReceiver records what it receives and answers with Receipt or Err.
type fakeReceiver struct {
	mu      sync.Mutex
	got     []core.Inbound
	Receipt core.Receipt
	Err     error
}

func (f *fakeReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return core.Receipt{}, f.Err
	}
	f.got = append(f.got, in)
	return f.Receipt, nil
}

func (f *fakeReceiver) received() []core.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]core.Inbound(nil), f.got...)
}

// fixture is one channel with fake dependencies.
type fixture struct {
	ch    *Channel
	recv  *fakeReceiver
	blobs *memBlobs
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	f := &fixture{
		recv:  &fakeReceiver{Receipt: core.Receipt{MessageID: "msg_1", ConversationID: "cnv_1", ContactID: "cnt_1"}},
		blobs: newMemBlobs(),
	}
	ch, err := New("crm", cfg, Deps{Receiver: f.recv, Blobs: f.blobs, Now: fixedNow})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.ch = ch
	return f
}

// post sends body to the channel's handler, signed at testNow, and returns
// the recorded response.
func (f *fixture) post(t *testing.T, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/channels/crm/messages", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	SignHeader(req.Header, testKey(t), "wh_1", testNow, []byte(body))
	return f.serve(req)
}

func (f *fixture) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.ch.Handler().ServeHTTP(rec, req)
	return rec
}

// hookServer is an external system's endpoint: it verifies the Standard
// Webhooks signature of every request with testSecret, records the bodies,
// and answers with respond.
type hookServer struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	badSigs []error
	respond func(w http.ResponseWriter, r *http.Request)
}

func newHookServer(t *testing.T, respond func(w http.ResponseWriter, r *http.Request)) *hookServer {
	t.Helper()
	return newHookServerWithSecret(t, testSecret, respond)
}

func newHookServerWithSecret(t *testing.T, secret string, respond func(w http.ResponseWriter, r *http.Request)) *hookServer {
	t.Helper()
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookServer{respond: respond}
	v := Verifier{Key: key, Now: fixedNow}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("hook server: read body: %v", err)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.headers = append(h.headers, r.Header.Clone())
		if err := v.Verify(r.Header, body); err != nil {
			h.badSigs = append(h.badSigs, err)
		}
		respond := h.respond
		h.mu.Unlock()
		if respond == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		respond(w, r)
	}))
	t.Cleanup(h.Close)
	return h
}

// requests returns what the server received, failing t if any request was
// not correctly signed.
func (h *hookServer) requests(t *testing.T) ([][]byte, []http.Header) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.badSigs) > 0 {
		t.Errorf("hook server got unsigned requests: %v", errors.Join(h.badSigs...))
	}
	return append([][]byte(nil), h.bodies...), append([]http.Header(nil), h.headers...)
}
