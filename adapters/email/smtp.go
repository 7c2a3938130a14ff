package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/switchboard-hq/switchboard/core"
)

// sendSMTP sends one rendered mail over SMTP. Its errors follow
// core.Channel: a 5xx answer is permanent (core.Permanent); a 4xx answer, a
// network failure, a timeout or a cancelled ctx is temporary.
func (a *Adapter) sendSMTP(ctx context.Context, from string, rcpts []string, msg []byte) error {
	cfg := a.cfg.SMTP
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	conn, err := dial(ctx, cfg.Addr, cfg.Timeout)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", cfg.Addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := a.smtpClient(ctx, conn)
	if err != nil {
		conn.Close()
		return classifySMTP(err)
	}
	defer c.Close()
	if err := c.Hello(a.cfg.MessageIDDomain); err != nil {
		return classifySMTP(fmt.Errorf("smtp hello: %w", err))
	}
	if err := a.smtpAuth(c); err != nil {
		return classifySMTP(fmt.Errorf("smtp auth as %s: %w", cfg.Username, err))
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(msg)); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("smtp send: %w", ctx.Err())
		}
		return classifySMTP(fmt.Errorf("smtp send: %w", err))
	}
	_ = c.Quit() // the mail is accepted; a failed goodbye changes nothing
	return nil
}

func (a *Adapter) smtpClient(ctx context.Context, conn net.Conn) (*smtp.Client, error) {
	cfg := a.cfg.SMTP
	host, _, _ := net.SplitHostPort(cfg.Addr)
	switch cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, a.tlsConfig(host))
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("smtp tls %s: %w", cfg.Addr, err)
		}
		return smtp.NewClient(tc), nil
	case TLSStart:
		c, err := smtp.NewClientStartTLS(conn, a.tlsConfig(host))
		if err != nil {
			return nil, fmt.Errorf("smtp starttls %s: %w", cfg.Addr, err)
		}
		return c, nil
	}
	return smtp.NewClient(conn), nil
}

// smtpAuth authenticates when credentials are configured: with the
// configured mechanism, else PLAIN, or LOGIN where only that is offered.
func (a *Adapter) smtpAuth(c *smtp.Client) error {
	cfg := a.cfg.SMTP
	if cfg.Username == "" {
		return nil
	}
	var mech sasl.Client
	switch {
	case cfg.Auth == AuthXOAUTH2:
		mech = newXOAUTH2(cfg.Username, cfg.Token)
	case cfg.Auth == "login", cfg.Auth == "" && !c.SupportsAuth(sasl.Plain) && c.SupportsAuth(sasl.Login):
		mech = sasl.NewLoginClient(cfg.Username, cfg.Password)
	default:
		mech = sasl.NewPlainClient("", cfg.Username, cfg.Password)
	}
	return c.Auth(mech)
}

// classifySMTP makes a 5xx answer permanent.
func classifySMTP(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code <= 599 {
		return core.Permanent(err)
	}
	return err
}
