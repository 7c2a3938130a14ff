package emailtest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Delivery is one mail an SMTPServer accepted.
type Delivery struct {
	From string
	To   []string
	Data []byte
	// Auth is the user name the client authenticated as, if any.
	Auth string
}

// SMTPServer accepts mail on 127.0.0.1 and records it. With credentials
// set it requires AUTH (PLAIN, LOGIN or XOAUTH2 with Password as the
// token); Fail makes it refuse the next deliveries.
type SMTPServer struct {
	t    testing.TB
	srv  *smtp.Server
	addr string

	mu        sync.Mutex
	user      string
	password  string
	delivered []Delivery
	failures  []*smtp.SMTPError
	notify    chan struct{}
}

// SMTPOption configures an SMTPServer.
type SMTPOption func(*SMTPServer, *smtp.Server) (implicitTLS *tls.Config)

// RequireAuth makes the server require AUTH with user and password.
func RequireAuth(user, password string) SMTPOption {
	return func(s *SMTPServer, _ *smtp.Server) *tls.Config {
		s.user, s.password = user, password
		return nil
	}
}

// OfferSTARTTLS lets clients upgrade with cfg.
func OfferSTARTTLS(cfg *tls.Config) SMTPOption {
	return func(_ *SMTPServer, srv *smtp.Server) *tls.Config {
		srv.TLSConfig = cfg
		return nil
	}
}

// ImplicitTLS serves TLS from the first byte.
func ImplicitTLS(cfg *tls.Config) SMTPOption {
	return func(_ *SMTPServer, srv *smtp.Server) *tls.Config { return cfg }
}

// NewSMTPServer starts a server, stopped when the test ends.
func NewSMTPServer(t testing.TB, opts ...SMTPOption) *SMTPServer {
	t.Helper()
	s := &SMTPServer{t: t, notify: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtpBackend{s})
	s.srv.Domain = "mx.example.test"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 50 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	var implicit *tls.Config
	for _, o := range opts {
		if c := o(s, s.srv); c != nil {
			implicit = c
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit != nil {
		ln = tls.NewListener(ln, implicit)
	}
	s.addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Addr is the server's host:port.
func (s *SMTPServer) Addr() string { return s.addr }

// Fail makes the server refuse the next deliveries at DATA, one per error,
// with code and message ("550", "5.1.1", ...).
func (s *SMTPServer) Fail(errs ...*smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, errs...)
}

// Delivered returns the accepted mail, oldest first.
func (s *SMTPServer) Delivered() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

// Wait waits until at least n mails were accepted, failing the test after
// timeout.
func (s *SMTPServer) Wait(n int, timeout time.Duration) []Delivery {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if d := s.Delivered(); len(d) >= n {
			return d
		}
		select {
		case <-s.notify:
		case <-deadline:
			s.t.Fatalf("smtp server: %d mails accepted after %s, want %d", len(s.Delivered()), timeout, n)
		}
	}
}

type smtpBackend struct{ s *SMTPServer }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: b.s}, nil }

type smtpSession struct {
	s    *SMTPServer
	auth string
	from string
	to   []string
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login, "XOAUTH2"}
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, password string) error {
		if user != ss.s.user || password != ss.s.password {
			return errors.New("invalid credentials")
		}
		ss.auth = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return check(user, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2":
		return &xoauth2Server{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.auth == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if len(ss.s.failures) > 0 {
		e := ss.s.failures[0]
		ss.s.failures = ss.s.failures[1:]
		return e
	}
	ss.s.delivered = append(ss.s.delivered, Delivery{From: ss.from, To: ss.to, Data: data, Auth: ss.auth})
	select {
	case ss.s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

// loginServer is the server side of SASL LOGIN.
type loginServer struct {
	check func(user, password string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response: the user name
			l.user, l.step = string(response), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(l.user, string(response))
}

// xoauth2Server is the server side of SASL XOAUTH2: the password is the
// bearer token.
type xoauth2Server struct {
	check func(user, token string) error
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	var user, token string
	for _, f := range strings.Split(string(response), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	return nil, true, x.check(user, token)
}
