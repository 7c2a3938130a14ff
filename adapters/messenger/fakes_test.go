package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// The fixtures README's app secret, and made-up tokens.
const (
	testSecret      = "5f1c9e27b8a04d3e96f2c1ab7d8e4a60"
	testVerifyToken = "verify-me-7Qm2"
	testPageToken   = "EAAGm0PX4ZCpsBAtestpagetoken"
	testChannel     = "messenger"
)

// fixtureNow is the clock the fixtures README asks for.
var fixtureNow = time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)

// call is one thing the adapter handed to the hub.
type call struct {
	in      *core.Inbound
	receipt core.Receipt
	mark    *core.Watermark
	changed int
	err     error
}

// recorder is the adapter's Receiver: it records every call and passes it
// to the real hub.
type recorder struct {
	mu    sync.Mutex
	hub   *core.Hub
	calls []call
	fail  error // when set, Receive fails with it without storing
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
	r.calls = append(r.calls, call{in: &in, receipt: rc, err: err})
	r.mu.Unlock()
	return rc, err
}

func (r *recorder) ReceiveWatermark(ctx context.Context, w core.Watermark) (int, error) {
	n, err := r.hub.ReceiveWatermark(ctx, w)
	r.mu.Lock()
	r.calls = append(r.calls, call{mark: &w, changed: n, err: err})
	r.mu.Unlock()
	return n, err
}

// since returns the calls after the first n.
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

// env is one Messenger adapter wired to a real hub (SQLite and blob files
// in a temp dir), a fake Graph API and a fake CDN.
type env struct {
	t       *testing.T
	clock   *coretest.Clock
	store   *sqlite.Store
	blobs   *blobfs.Store
	hub     *core.Hub
	rec     *recorder
	adapter *Adapter
	graph   *fakeGraph
	cdn     *fakeCDN
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	dir := t.TempDir()
	st, blobs := coretest.OpenStorage(t, dir)
	var err error
	e := &env{t: t, clock: coretest.NewClock(fixtureNow), store: st, blobs: blobs, rec: &recorder{}}
	e.graph = newFakeGraph(t)
	e.cdn = newFakeCDN(t)
	if cfg.AppSecret == "" {
		cfg.AppSecret = testSecret
	}
	if cfg.VerifyToken == "" {
		cfg.VerifyToken = testVerifyToken
	}
	if cfg.PageToken == "" {
		cfg.PageToken = testPageToken
	}
	if cfg.GraphURL == "" {
		cfg.GraphURL = e.graph.URL
	}
	// Graph calls go to the fake Graph API; media URLs on Meta's hosts
	// pass the allow-list and are then served by the fake CDN.
	client := &http.Client{Transport: e.cdn.transport(e.graph.URL)}
	e.adapter, err = New(testChannel, cfg, Deps{
		Receiver: e.rec, Blobs: blobs, State: core.StoreState(st, testChannel),
		HTTPClient: client, Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.hub, err = core.NewHub(core.HubConfig{
		Store: st, Blobs: blobs, Clock: e.clock,
		Channels: []core.ChannelInfo{{Name: testChannel, Type: Type, Adapter: e.adapter}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.hub = e.hub
	return e
}

// post sends body to the webhook, signed with the app secret unless sig is
// given, and returns the response.
func (e *env) post(body []byte, sig ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/messenger", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if len(sig) > 0 {
		if sig[0] != "" {
			req.Header.Set(HeaderSignature, sig[0])
		}
	} else {
		req.Header.Set(HeaderSignature, Sign(testSecret, body))
	}
	return e.serve(req)
}

func (e *env) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.adapter.Handler().ServeHTTP(rec, req)
	return rec
}

// graphRequest is one request the fake Graph API received.
type graphRequest struct {
	Path        string
	Query       url.Values
	ContentType string
	Body        []byte
	// Form holds the fields of a multipart upload; File is its filedata.
	Form     map[string]string
	File     []byte
	FileName string
	FileType string
}

// graphAnswer is a queued answer of the fake Graph API.
type graphAnswer struct {
	status int
	body   string
}

// fakeGraph is the Send API of Graph: it checks the access token and
// appsecret_proof, records every request and answers with the queued
// answers, then {"recipient_id", "message_id"}.
type fakeGraph struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	reqs    []graphRequest
	answers []graphAnswer
	sent    int
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{t: t}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) answer(as ...graphAnswer) {
	g.mu.Lock()
	g.answers = append(g.answers, as...)
	g.mu.Unlock()
}

func (g *fakeGraph) requests() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.reqs...)
}

// delivered counts the messages the fake accepted.
func (g *fakeGraph) delivered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	proof := hmac.New(sha256.New, []byte(testSecret))
	proof.Write([]byte(testPageToken))
	q := r.URL.Query()
	if r.Method != http.MethodPost || r.URL.Path != "/v21.0/me/messages" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"message":"Unknown path components","type":"OAuthException","code":2500,"fbtrace_id":"Az1"}}`)
		return
	}
	if q.Get("access_token") != testPageToken || q.Get("appsecret_proof") != hex.EncodeToString(proof.Sum(nil)) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"Az2"}}`)
		return
	}
	req := graphRequest{Path: r.URL.Path, Query: q, ContentType: r.Header.Get("Content-Type")}
	req.Body, _ = io.ReadAll(r.Body)
	if mt, params, _ := mime.ParseMediaType(req.ContentType); mt == "multipart/form-data" {
		req.Form = map[string]string{}
		mr := multipart.NewReader(bytes.NewReader(req.Body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "filedata" {
				req.File, req.FileName, req.FileType = data, p.FileName(), p.Header.Get("Content-Type")
				continue
			}
			req.Form[p.FormName()] = string(data)
		}
	}
	g.mu.Lock()
	g.reqs = append(g.reqs, req)
	var a graphAnswer
	if len(g.answers) > 0 {
		a, g.answers = g.answers[0], g.answers[1:]
	}
	if a.status == 0 {
		g.sent++
		a = graphAnswer{http.StatusOK, fmt.Sprintf(`{"recipient_id":"25531901234567001","message_id":"m_fake%04d"}`, g.sent)}
	}
	g.mu.Unlock()
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

// fakeCDN serves media bytes by file extension and records the URLs asked
// for. Its transport sends requests for any host to the fake (and Graph
// calls to the fake Graph API), so tests never reach the network.
type fakeCDN struct {
	*httptest.Server
	mu      sync.Mutex
	fetched []string
	status  int // answer instead of the file when set
}

// cdnFiles are the bytes served per extension; the blob store sniffs them.
var cdnFiles = map[string][]byte{
	".jpg": append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"), make([]byte, 64)...),
	".png": append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...),
	".mp4": append([]byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00"), make([]byte, 64)...),
}

func newFakeCDN(t *testing.T) *fakeCDN {
	c := &fakeCDN{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		status := c.status
		c.mu.Unlock()
		data, ok := cdnFiles[path.Ext(r.URL.Path)]
		if status != 0 || !ok {
			http.Error(w, "URL signature expired", max(status, http.StatusForbidden))
			return
		}
		w.Write(data)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *fakeCDN) urls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.fetched...)
}

func (c *fakeCDN) transport(graphURL string) http.RoundTripper {
	return roundTrip(func(req *http.Request) (*http.Response, error) {
		target, _ := url.Parse(c.URL)
		if graphURL != "" && "http://"+req.URL.Host == graphURL {
			return http.DefaultTransport.RoundTrip(req)
		}
		c.mu.Lock()
		c.fetched = append(c.fetched, req.URL.String())
		c.mu.Unlock()
		r := req.Clone(req.Context())
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, req.URL.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (c *fakeCDN) setStatus(status int) {
	c.mu.Lock()
	c.status = status
	c.mu.Unlock()
}
