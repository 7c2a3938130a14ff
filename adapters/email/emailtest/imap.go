// Package emailtest runs real mail servers in process for tests of the
// email channel: an IMAP server (go-imap v2's imapserver over its in-memory
// backend, imapmemserver) and an SMTP server (go-smtp) that records what it
// accepts, both on 127.0.0.1 with an optional self-signed TLS certificate.
package emailtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// Credentials of the mailbox user of every IMAPServer.
const (
	Username = "support@example.com"
	Password = "correct horse battery"
)

// IMAPServer is an IMAP4rev2 server holding one user's mailboxes in memory.
// It can be stopped and started again on the same address, its mail kept,
// to play an outage.
type IMAPServer struct {
	t    testing.TB
	user *imapmemserver.User
	tls  *tls.Config // for STARTTLS and implicit TLS; nil: plain text
	// Implicit makes the server speak TLS from the first byte.
	implicit bool

	mu   sync.Mutex
	srv  *imapserver.Server
	addr string
	done chan struct{}
}

// IMAPOption configures an IMAPServer.
type IMAPOption func(*IMAPServer)

// WithSTARTTLS offers STARTTLS with cfg; WithImplicitTLS serves TLS only.
func WithSTARTTLS(cfg *tls.Config) IMAPOption { return func(s *IMAPServer) { s.tls = cfg } }

// WithImplicitTLS serves TLS from the first byte with cfg.
func WithImplicitTLS(cfg *tls.Config) IMAPOption {
	return func(s *IMAPServer) { s.tls, s.implicit = cfg, true }
}

// NewIMAPServer starts a server on 127.0.0.1 with an empty INBOX, stopped
// when the test ends.
func NewIMAPServer(t testing.TB, opts ...IMAPOption) *IMAPServer {
	t.Helper()
	s := &IMAPServer{t: t, user: imapmemserver.NewUser(Username, Password)}
	for _, o := range opts {
		o(s)
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	s.addr = "127.0.0.1:0"
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *IMAPServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Start serves again (on the same address) after Stop.
func (s *IMAPServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after Stop
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("imap listen %s: %v", s.addr, err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, s.tls)
	}
	s.addr = ln.Addr().String()
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{user: s.user}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		TLSConfig:    s.startTLS(),
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	s.done = make(chan struct{})
	go func(srv *imapserver.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln)
	}(s.srv, s.done)
}

func (s *IMAPServer) startTLS() *tls.Config {
	if s.implicit {
		return nil
	}
	return s.tls
}

// Stop closes the listener and every connection; the mail stays.
func (s *IMAPServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return
	}
	_ = s.srv.Close()
	<-s.done
	s.srv = nil
}

// Append puts a message into mailbox, as a delivering MTA would, and
// returns its UID.
func (s *IMAPServer) Append(mailbox string, raw []byte, flags ...imap.Flag) imap.UID {
	s.t.Helper()
	data, err := s.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Flags: flags, Time: time.Now()})
	if err != nil {
		s.t.Fatalf("append to %s: %v", mailbox, err)
	}
	return data.UID
}

// Create makes a mailbox.
func (s *IMAPServer) Create(mailbox string) {
	s.t.Helper()
	if err := s.user.Create(mailbox, nil); err != nil {
		s.t.Fatalf("create %s: %v", mailbox, err)
	}
}

// Recreate deletes mailbox and creates it again, empty and with a new
// UIDVALIDITY, as a server does after its store was rebuilt.
func (s *IMAPServer) Recreate(mailbox string) {
	s.t.Helper()
	if err := s.user.Delete(mailbox); err != nil {
		s.t.Fatalf("delete %s: %v", mailbox, err)
	}
	s.Create(mailbox)
}

// Message is a stored message as a client sees it.
type Message struct {
	UID   imap.UID
	Flags []imap.Flag
}

// Has reports whether the message carries flag.
func (m Message) Has(flag imap.Flag) bool {
	for _, f := range m.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// Messages lists mailbox's messages and their flags, read through a client
// connection (the server must be running).
func (s *IMAPServer) Messages(mailbox string) []Message {
	s.t.Helper()
	var c *imapclient.Client
	var err error
	if s.tls != nil {
		c, err = s.dialTLS()
	} else {
		c, err = imapclient.DialInsecure(s.Addr(), nil)
	}
	if err != nil {
		s.t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if err := c.Login(Username, Password).Wait(); err != nil {
		s.t.Fatalf("login: %v", err)
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		s.t.Fatalf("select %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		s.t.Fatalf("fetch: %v", err)
	}
	out := make([]Message, 0, len(bufs))
	for _, b := range bufs {
		out = append(out, Message{UID: b.UID, Flags: b.Flags})
	}
	return out
}

func (s *IMAPServer) dialTLS() (*imapclient.Client, error) {
	pool := x509.NewCertPool()
	pool.AddCert(s.tls.Certificates[0].Leaf) // TLS sets Leaf
	cfg := &tls.Config{RootCAs: pool}
	if s.implicit {
		return imapclient.DialTLS(s.Addr(), &imapclient.Options{TLSConfig: cfg})
	}
	return imapclient.DialStartTLS(s.Addr(), &imapclient.Options{TLSConfig: cfg})
}

// imapSession is the memory server's session for the one user, logging in
// with LOGIN, AUTHENTICATE PLAIN, or AUTHENTICATE XOAUTH2 with the
// password as the bearer token.
type imapSession struct {
	*imapmemserver.UserSession // nil until logged in
	user                       *imapmemserver.User
}

func (s *imapSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *imapSession) AuthenticateMechanisms() []string { return []string{sasl.Plain, "XOAUTH2"} }

func (s *imapSession) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return s.Login(user, password) }), nil
	case "XOAUTH2":
		return &xoauth2Server{check: s.Login}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

var _ imapserver.SessionSASL = (*imapSession)(nil)
