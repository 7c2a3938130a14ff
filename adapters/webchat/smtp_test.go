package webchat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-hq/switchboard/core"
)

// smtpServer is a real go-smtp server on loopback keeping what it receives.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	msgs []smtpMessage
}

type smtpMessage struct {
	From string
	To   []string
	Data []byte
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }

func (s *smtpServer) received() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

type smtpSession struct {
	srv *smtpServer
	msg smtpMessage
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.msg.From = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.msg)
	s.srv.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.msg = smtpMessage{} }
func (s *smtpSession) Logout() error { return nil }

// smtpMailer is the core.Mailer of this test: it delivers the hub's mail
// with go-smtp's client, as the email channel's sender does.
type smtpMailer struct{ addr string }

func (m smtpMailer) SendMail(ctx context.Context, mail core.Mail) error {
	var body bytes.Buffer
	fmt.Fprintf(&body, "From: Support <support@example.com>\r\nTo: %s\r\nSubject: %s\r\nAuto-Submitted: auto-generated\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		strings.Join(mail.To, ", "), mail.Subject)
	qp := quotedprintable.NewWriter(&body)
	qp.Write([]byte(strings.ReplaceAll(mail.Text, "\n", "\r\n")))
	qp.Close()
	c, err := smtp.Dial(m.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("support@example.com", mail.To, &body); err != nil {
		return err
	}
	return c.Quit()
}

func TestVerification_code_travels_over_real_SMTP_and_verifies_the_address(t *testing.T) {
	srv := startSMTP(t)
	f := newFixture(t, Config{Title: "Acme help"}, withMailer(smtpMailer{addr: srv.addr}))
	ctx := context.Background()
	v := f.connect(nil)
	conv := v.write("m", "please verify me").str("conversation")
	if _, err := f.hub.Execute(ctx, f.op, conv, "$email dana@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Execute(ctx, f.op, conv, "$verify"); err != nil {
		t.Fatal(err)
	}
	v.next("verify")
	var msg smtpMessage
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := srv.received(); len(got) != 1 {
		t.Fatalf("SMTP server got %d messages, want 1", len(got))
	} else {
		msg = got[0]
	}
	if len(msg.To) != 1 || msg.To[0] != "dana@example.com" {
		t.Fatalf("RCPT TO = %v, want dana@example.com", msg.To)
	}
	_, raw, _ := bytes.Cut(msg.Data, []byte("\r\n\r\n"))
	text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	code := codeInMail.FindStringSubmatch(string(text))
	if code == nil || !strings.Contains(string(text), "Acme help") {
		t.Fatalf("mail body %q holds no code for Acme help", text)
	}
	v.send(map[string]any{"type": "code", "code": code[1]})
	if got := v.next("verify"); got.str("state") != "verified" {
		t.Fatalf("after the mailed code: %v, want verified", got)
	}
	cv, _ := f.store.Conversation(ctx, conv)
	c, _ := f.store.Contact(ctx, cv.ContactID)
	if !c.Verified || c.Email != "dana@example.com" {
		t.Fatalf("contact = %+v, want dana@example.com verified", c)
	}
}
