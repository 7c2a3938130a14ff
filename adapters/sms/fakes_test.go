package sms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
)

// Test credentials: the fixtures' auth token and account SID.
const (
	testToken   = "2b7e4f9a1c6d3e8b5a0f7c2d9e4b1a63"
	testSID     = "AC3f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"
	testService = "MG8d2b4f6a0c1e3d5b7f9a1c3e5d7b9f0a"
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

// testNow is the fixed clock of the tests (the fixtures' README asks for it).
var testNow = time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// Media samples whose leading bytes sniff as their type.
var (
	sampleJPEG = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), bytes.Repeat([]byte{0x42}, 64)...)
	sampleGIF  = append([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"), bytes.Repeat([]byte{0}, 16)...)
	sampleMP4  = append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), bytes.Repeat([]byte{0}, 64)...)
	samplePNG  = mustB64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
	samplePDF  = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
	sampleOgg  = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead"), bytes.Repeat([]byte{0}, 32)...)
)

// samples maps a declared media type to bytes of that type.
var samples = map[string][]byte{
	"image/jpeg": sampleJPEG, "image/gif": sampleGIF, "video/mp4": sampleMP4, "image/png": samplePNG,
	"application/pdf": samplePDF, "audio/ogg": sampleOgg,
}

func mustB64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// memBlobs is a core.BlobStore in memory, content-addressed and sniffing
// types like the real one.
type memBlobs struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{blobs: map[string][]byte{}} }

func (m *memBlobs) Put(ctx context.Context, r io.Reader, limit int64) (core.Blob, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return core.Blob{}, err
	}
	if int64(len(data)) > limit {
		return core.Blob{}, core.TooLargef("file is larger than %d bytes", limit)
	}
	sum := sha256.Sum256(data)
	ref := "sha256:" + hex.EncodeToString(sum[:])
	m.mu.Lock()
	m.blobs[ref] = data
	m.mu.Unlock()
	return core.Blob{Ref: ref, Size: int64(len(data)), MIMEType: blobfs.Sniff(data)}, nil
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

// attachment stores data and describes it as the hub would.
func (m *memBlobs) attachment(t *testing.T, data []byte, voice bool) core.Attachment {
	t.Helper()
	b, err := m.Put(t.Context(), bytes.NewReader(data), core.MaxUpload)
	if err != nil {
		t.Fatal(err)
	}
	return core.Attachment{Filename: "file", MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref, Voice: voice}
}

// memState is a core.ChannelState in memory.
type memState struct {
	mu  sync.Mutex
	kv  map[string][]byte
	err error // returned by every call when set
}

func newMemState() *memState { return &memState{kv: map[string][]byte{}} }

func (s *memState) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	v, ok := s.kv[key]
	if !ok {
		return nil, core.ErrNotFound
	}
	return v, nil
}

func (s *memState) Put(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.kv[key] = value
	return nil
}

func (s *memState) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	delete(s.kv, key)
	return nil
}

// fakeReceiver records what it receives. Like the hub it reports a second
// message with the same provider id as a duplicate, and it answers a
// receipt whose target it does not know with core.ErrNotFound.
type fakeReceiver struct {
	mu    sync.Mutex
	got   []core.Inbound
	ids   map[string]bool
	known map[string]bool // targets of receipts
	err   error
}

func newFakeReceiver() *fakeReceiver {
	return &fakeReceiver{ids: map[string]bool{}, known: map[string]bool{}}
}

func (f *fakeReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return core.Receipt{}, f.err
	}
	if in.Kind != core.KindMessage && !f.known[in.Target] {
		return core.Receipt{}, fmt.Errorf("receive sms message: message sms/%s: %w", in.Target, core.ErrNotFound)
	}
	f.got = append(f.got, in)
	if in.Kind == core.KindMessage {
		dup := f.ids[in.ProviderMessageID]
		f.ids[in.ProviderMessageID] = true
		return core.Receipt{MessageID: "msg_" + in.ProviderMessageID, Duplicate: dup}, nil
	}
	return core.Receipt{}, nil
}

func (f *fakeReceiver) know(target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.known[target] = true
}

func (f *fakeReceiver) received() []core.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]core.Inbound(nil), f.got...)
}

// rig is one adapter with fake dependencies, its routes served on a
// loopback server that public_url points at.
type rig struct {
	a     *Adapter
	recv  *fakeReceiver
	blobs *memBlobs
	state *memState
	srv   *httptest.Server
}

// newRig builds an adapter named "sms" at path /sms/twilio; cfg's
// credentials default to the test ones and its public URL to the rig's
// server.
func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	mux := http.NewServeMux()
	r := &rig{recv: newFakeReceiver(), blobs: newMemBlobs(), state: newMemState(), srv: httptest.NewServer(mux)}
	t.Cleanup(r.srv.Close)
	if cfg.Provider == "" || cfg.Provider == ProviderTwilio {
		if cfg.AccountSID == "" {
			cfg.AccountSID, cfg.AuthToken = testSID, testToken
		}
		if cfg.From == "" && cfg.MessagingServiceSID == "" {
			cfg.MessagingServiceSID = testService
		}
	}
	if cfg.Path == "" {
		cfg.Path = "/sms/twilio"
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = r.srv.URL + cfg.Path
	}
	a, err := New("sms", cfg, Deps{Receiver: r.recv, Blobs: r.blobs, State: r.state, Now: fixedNow})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for p, h := range a.Routes() {
		mux.Handle(p, h)
	}
	r.a = a
	return r
}

// postForm sends a Twilio webhook to route, signed for the rig's public URL
// with token, and returns the answer.
func (r *rig) postForm(t *testing.T, route string, form map[string]string, token string) *http.Response {
	t.Helper()
	vals := url.Values{}
	for k, v := range form {
		vals.Set(k, v)
	}
	body := vals.Encode()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+r.a.cfg.Path+route, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	if token != "" {
		req.Header.Set(HeaderTwilioSignature, TwilioSignature(token, r.a.public+route, vals))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
