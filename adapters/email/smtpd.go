package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"

	"github.com/emersion/go-smtp"
)

// smtpListener is where the inbound SMTP server listens, once it does.
type smtpListener struct{ addr atomic.Value }

// SMTPListenAddr is the address the inbound SMTP listener is bound to once
// Run has started it ("" before), which tells the port chosen for
// inbound_smtp.addr "host:0".
func (a *Adapter) SMTPListenAddr() string {
	s, _ := a.smtpLn.addr.Load().(string)
	return s
}

// serveSMTP accepts mail for the channel's addresses until ctx ends: a
// domain's MX or a forwarding rule delivers straight to the hub. It answers
// 250 only once the mail is durably stored, 451 when it could not be (the
// sender retries), 552 over the size limit, 550 for recipients that are not
// the channel's and for mail that cannot be read.
func (a *Adapter) serveSMTP(ctx context.Context) error {
	cfg := a.cfg.InboundSMTP
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("inbound smtp listen %s: %w", cfg.Addr, err)
	}
	a.smtpLn.addr.Store(ln.Addr().String())
	srv := smtp.NewServer(smtpBackend{a: a, ctx: ctx})
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = DefaultTimeout, DefaultTimeout
	srv.ErrorLog = slogPrinter{a.log.With("component", "smtpd")}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	a.log.InfoContext(ctx, "accepting mail over SMTP", "addr", ln.Addr().String())
	if a.cfg.IMAP.Addr == "" {
		a.health.synced(a.now())
	}
	err = srv.Serve(ln)
	if ctx.Err() != nil || errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("inbound smtp: %w", err)
}

type smtpBackend struct {
	a   *Adapter
	ctx context.Context
}

func (b smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{a: b.a, ctx: b.ctx, remote: c.Conn().RemoteAddr().String()}, nil
}

// smtpSession is one inbound SMTP transaction.
type smtpSession struct {
	a      *Adapter
	ctx    context.Context
	remote string
	from   string
	rcpts  []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts the channel's address, its reply addresses and the
// configured further recipients.
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.a.accepts(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	}
	s.rcpts = append(s.rcpts, strings.ToLower(to))
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // the server answers 552 for an oversize body
	}
	// The envelope sender becomes Return-Path, as a delivering MTA writes
	// it: the null sender "<>" marks a bounce.
	raw = append([]byte("Return-Path: <"+s.from+">\r\n"), raw...)
	out, err := s.a.ingest(s.ctx, raw, source{kind: "smtp", internalDate: s.a.now(), rcpts: s.rcpts})
	if err != nil {
		s.a.log.ErrorContext(s.ctx, "inbound smtp mail not stored", "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mail not stored; try again later"}
	}
	if out.Result == ResultRejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Mail refused: " + clip(out.Reason, 200)}
	}
	return nil
}

func (s *smtpSession) Reset() { s.from, s.rcpts = "", nil }

func (s *smtpSession) Logout() error { return nil }

// accepts reports whether mail to addr is for this channel.
func (a *Adapter) accepts(addr string) bool {
	addr = strings.ToLower(strings.Trim(addr, "<> "))
	return addr == strings.ToLower(a.cfg.Address) ||
		replyToken(addr, a.cfg.ReplyDomain) != "" ||
		senderMatches(addr, a.cfg.InboundSMTP.Recipients)
}

// slogPrinter lets go-smtp log through slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) { p.log.Warn(fmt.Sprintf(format, v...)) }
func (p slogPrinter) Println(v ...any)               { p.log.Warn(strings.TrimSpace(fmt.Sprintln(v...))) }

var _ smtp.Backend = smtpBackend{}
