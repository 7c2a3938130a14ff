package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
)

// deadlineConn ends a connection that makes no progress: while its timeout
// is set, every read and write must complete within it. IMAP IDLE turns the
// timeout off while the server may rightly stay silent.
type deadlineConn struct {
	net.Conn
	mu      sync.Mutex
	timeout time.Duration
}

// setTimeout changes the timeout, re-arming or clearing the deadline of a
// read already waiting.
func (c *deadlineConn) setTimeout(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timeout = d
	if d > 0 {
		_ = c.Conn.SetDeadline(time.Now().Add(d))
	} else {
		_ = c.Conn.SetDeadline(time.Time{})
	}
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.timeout > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.timeout > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// dial connects to addr, giving up after timeout or when ctx ends.
func dial(ctx context.Context, addr string, timeout time.Duration) (*deadlineConn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &deadlineConn{Conn: conn}
	c.setTimeout(timeout)
	return c, nil
}

// xoauth2 is the SASL XOAUTH2 mechanism of Google and Microsoft mail
// servers: the user name and an OAuth 2 access token in one message.
type xoauth2 struct {
	user, token string
	answered    bool
}

func newXOAUTH2(user, token string) sasl.Client { return &xoauth2{user: user, token: token} }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with the empty
// response the mechanism requires, after which the server refuses.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	if x.answered {
		return nil, fmt.Errorf("xoauth2: unexpected challenge %q", clip(string(challenge), 200))
	}
	x.answered = true
	return []byte{}, nil
}

// sleep waits d or until ctx ends, reporting whether it waited the whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errClosed is a connection the server (or the network) closed.
var errClosed = errors.New("connection closed")
