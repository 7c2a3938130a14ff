//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// errLost makes the fake deliver a message but answer as if the answer was
// lost on the way back: the sender cannot tell whether it went.
var errLost = errors.New("lost answer")

// sentMessage is one message the fake WhatsApp accepted.
type sentMessage struct {
	To  types.JID
	ID  types.MessageID
	Msg *waE2E.Message
	At  time.Time
}

// fakeClient stands in for *whatsmeow.Client and WhatsApp's servers. Like
// WhatsApp, it keeps one message per id: a message sent again under the
// same id is not delivered twice.
type fakeClient struct {
	mu        sync.Mutex
	handlers  []whatsmeow.EventHandlerWithSuccessStatus
	connected bool
	refuse    error // ConnectContext fails with it while set
	connects  int
	sendErrs  []error // the next SendMessage results; errLost delivers first
	sent      []sentMessage
	ids       map[types.MessageID]bool
	uploads   [][]byte
	media     map[string][]byte // direct path -> plaintext
	reads     [][]types.MessageID
	qr        chan whatsmeow.QRChannelItem
	pairing   bool // a QR channel was handed out: connecting shows codes
	phones    []string
}

func newFakeClient() *fakeClient {
	return &fakeClient{ids: map[types.MessageID]bool{}, media: map[string][]byte{}}
}

// dispatch hands evt to the handlers as whatsmeow does and reports
// whether all of them handled it.
func (f *fakeClient) dispatch(evt any) bool {
	f.mu.Lock()
	hs := append([]whatsmeow.EventHandlerWithSuccessStatus(nil), f.handlers...)
	f.mu.Unlock()
	for _, h := range hs {
		if !h(evt) {
			return false
		}
	}
	return true
}

func (f *fakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers = append(f.handlers, h)
	return uint32(len(f.handlers))
}

func (f *fakeClient) ConnectContext(context.Context) error {
	f.mu.Lock()
	if f.refuse != nil {
		err := f.refuse
		f.mu.Unlock()
		return err
	}
	if f.connected {
		f.mu.Unlock()
		return whatsmeow.ErrAlreadyConnected
	}
	f.connected = true
	f.connects++
	pairing := f.pairing
	f.mu.Unlock()
	if !pairing {
		f.dispatch(&events.Connected{})
	}
	return nil
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	f.connected, f.pairing = false, false
	f.mu.Unlock()
}

// drop loses the connection as a network failure would.
func (f *fakeClient) drop() {
	f.mu.Lock()
	f.connected = false
	f.mu.Unlock()
	f.dispatch(&events.Disconnected{})
}

func (f *fakeClient) setRefuse(err error) {
	f.mu.Lock()
	f.refuse = err
	f.mu.Unlock()
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

func (f *fakeClient) GetQRChannel(context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.qr == nil {
		return nil, whatsmeow.ErrQRStoreContainsID
	}
	f.pairing = true
	return f.qr, nil
}

func (f *fakeClient) PairPhone(_ context.Context, phone string, _ bool, _ whatsmeow.PairClientType, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phones = append(f.phones, phone)
	return "ABCD-EFGH", nil
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.connected {
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	}
	var err error
	if len(f.sendErrs) > 0 {
		err, f.sendErrs = f.sendErrs[0], f.sendErrs[1:]
	}
	if err != nil && err != errLost {
		return whatsmeow.SendResponse{}, err
	}
	id := types.MessageID(fmt.Sprintf("3EB0RANDOM%04d", len(f.sent)))
	if len(extra) > 0 && extra[0].ID != "" {
		id = extra[0].ID
	}
	if !f.ids[id] {
		f.ids[id] = true
		f.sent = append(f.sent, sentMessage{To: to, ID: id, Msg: msg, At: time.Now()})
	}
	if err == errLost {
		return whatsmeow.SendResponse{}, whatsmeow.ErrMessageTimedOut
	}
	return whatsmeow.SendResponse{ID: id, Timestamp: time.Now()}, nil
}

func (f *fakeClient) Upload(_ context.Context, data []byte, _ whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, data)
	return whatsmeow.UploadResponse{
		URL: "https://mmg.whatsapp.net/v/t62.7118-24/upload", DirectPath: fmt.Sprintf("/v/t62.7118-24/u%d", len(f.uploads)),
		MediaKey: []byte("key"), FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: uint64(len(data)),
	}, nil
}

func (f *fakeClient) Download(_ context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.media[msg.GetDirectPath()]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	return data, nil
}

func (f *fakeClient) BuildRevoke(chat, _ types.JID, id types.MessageID) *waE2E.Message {
	return &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_REVOKE.Enum(),
		Key:  &waCommon.MessageKey{FromMe: proto.Bool(true), ID: proto.String(id), RemoteJID: proto.String(chat.String())},
	}}
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids)
	return nil
}

func (f *fakeClient) messages() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

func (f *fakeClient) delivered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// fakeSessions hands out one fake client for a device that is linked to
// account, or not yet when account is "".
type fakeSessions struct {
	mu      sync.Mutex
	cl      *fakeClient
	acct    string
	linkJID types.JID
	opens   int
}

func (s *fakeSessions) open(context.Context) (client, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opens++
	return s.cl, s.acct, nil
}

func (s *fakeSessions) linked(_ context.Context, jid types.JID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkJID = jid
	s.acct, _ = e164(jid.User)
	return nil
}

func (s *fakeSessions) account(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acct, nil
}

func (s *fakeSessions) close() error { return nil }

// meowEnv is a whatsmeow-driver adapter on a real hub and a fake client.
type meowEnv struct {
	*hubEnv
	fake     *fakeClient
	sessions *fakeSessions
	adapter  *Adapter
	drv      *meowDriver
}

// newMeowEnv builds the adapter on a fake WhatsApp linked to account (or
// not, for "") with cfg changed by edit; run starts it.
func newMeowEnv(t *testing.T, account string, edit func(*Config)) *meowEnv {
	t.Helper()
	e := &meowEnv{hubEnv: newHubEnv(t), fake: newFakeClient()}
	e.sessions = &fakeSessions{cl: e.fake, acct: account}
	cfg := Config{Driver: DriverWhatsmeow, Pacing: time.Millisecond, SendTimeout: 5 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	e.adapter, err = build(testChannel, cfg, e.deps(), func(a *Adapter) (driver, error) {
		e.drv = newMeow(a, e.sessions)
		e.drv.minBackoff, e.drv.maxBackoff, e.drv.pollLinked = 5*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond
		return e.drv, nil
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	e.start(e.adapter)
	return e
}

// run starts the adapter until the test ends.
func (e *meowEnv) run() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("Run = %v", err)
		}
	})
}

// waitHealth waits until the adapter's health is state.
func (e *meowEnv) waitHealth(state string) Health {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h := e.adapter.Health()
		if h.State == state {
			return h
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("health is %+v, want %s", h, state)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// jid is a contact's phone JID.
func jid(user string) types.JID { return types.NewJID(user, types.DefaultUserServer) }

// incoming is a message event from contact 12065550131 in a direct chat.
func incoming(id string, m *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: jid("12065550131"), Sender: jid("12065550131")},
			ID:            id, PushName: "Kemal Arslan", Timestamp: time.Date(2025, 3, 13, 11, 0, 0, 0, time.UTC), Type: "text",
		},
		Message: m,
	}
}
