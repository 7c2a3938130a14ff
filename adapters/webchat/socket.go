package webchat

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/core"
)

// helloTimeout bounds the wait for a new socket's hello.
const helloTimeout = 10 * time.Second

// serveSocket handles GET /webchat/<name>/ws: it checks the Origin against
// the widget's allow-list, upgrades to WebSocket, and runs the visitor's
// session until the socket closes.
func (a *Adapter) serveSocket(w http.ResponseWriter, r *http.Request) {
	if err := a.checkOrigin(r); err != nil {
		a.log.Info("socket refused", "origin", r.Header.Get("Origin"), "reason", err.Error())
		writeError(w, http.StatusForbidden, "origin_refused", err.Error())
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the Origin was checked above, against our own list
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return // Accept answered the client
	}
	ws.SetReadLimit(MaxFrameBytes)
	a.runSession(r, ws)
}

// checkOrigin admits the hub's own pages and the origins of
// allowed_origins. A request without an Origin comes from no browser page
// and is refused too: the widget always runs in one.
func (a *Adapter) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return errors.New("no Origin header: the web chat accepts connections from web pages only")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return errors.New("the Origin header is not an origin")
	}
	host := strings.ToLower(u.Host)
	if strings.EqualFold(host, r.Host) {
		return nil // the hub's own page (/demo, a continue link)
	}
	if pub, err := url.Parse(a.public); err == nil && a.public != "" && strings.EqualFold(pub.Host, host) && pub.Scheme == u.Scheme {
		return nil
	}
	for _, p := range a.origin {
		if p.match(u.Scheme, host) {
			return nil
		}
	}
	return errors.New("origin " + clip(origin, 100) + " is not in the widget's allowed_origins")
}

// runSession reads the hello, answers with the history, then handles the
// visitor's frames until the socket closes. The goroutine running it lives
// as long as the socket and spends its life blocked in Read; the work of
// each step runs on a short-lived goroutine (shallow), so that the deep
// call chains of the store never grow this goroutine's stack, and an idle
// socket costs about what a bare WebSocket does.
func (a *Adapter) runSession(r *http.Request, ws *websocket.Conn) {
	defer ws.CloseNow()
	var s *session
	var cameOnline bool
	shallow(func() { s, cameOnline = a.open(r, ws) })
	if s == nil {
		return
	}
	defer a.reg.remove(s.c, a.cfg.OfflineGrace, func() { a.visitorLeft(s.visitor) })
	if s.c.isClosed() {
		return
	}
	shallow(func() { a.afterWelcome(s, cameOnline) })
	a.readLoop(a.ctx, s)
}

// open reads the hello, identifies the visitor, registers the socket and
// writes the welcome. It returns a nil session when the socket is refused
// before it was registered.
func (a *Adapter) open(r *http.Request, ws *websocket.Conn) (*session, bool) {
	hello, err := a.readHello(ws)
	if err != nil {
		a.refuse(ws, "bad_hello", err.Error())
		return nil, false
	}
	ctx := a.ctx
	s, ref := a.identify(ctx, hello)
	if ref != nil {
		a.log.Info("visitor refused", "code", ref.code, "reason", ref.msg)
		a.refuse(ws, ref.code, ref.msg)
		return nil, false
	}
	s.ua = r.UserAgent()
	s.page, s.referrer = hello.Page, hello.Page.Referrer
	c := &conn{
		ws: ws, visitor: s.visitor, max: a.cfg.SendQueue, writeTimeout: a.cfg.WriteTimeout,
		drop: func(reason string) { _ = ws.Close(websocket.StatusTryAgainLater, clip(reason, 100)) },
	}
	s.c = c
	cameOnline := a.reg.add(c)
	sent, err := a.welcome(ctx, s, hello)
	if err != nil {
		a.log.Warn("welcome not sent", "visitor", s.visitor, "err", err)
		c.close("welcome: " + err.Error())
		return s, false
	}
	c.start(sent)
	return s, cameOnline
}

// afterWelcome tells the hub the visitor is back and records the page.
func (a *Adapter) afterWelcome(s *session, cameOnline bool) {
	if s.contactID != "" && cameOnline {
		visitor := s.visitor
		a.background(func(ctx context.Context) error {
			return a.hub().ContactPresenceChanged(ctx, a.name, visitor, true)
		})
	}
	s.pageView(a.ctx, s.page)
}

// shallow runs fn on a goroutine of its own and waits for it.
func shallow(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// readHello waits for the socket's first frame, which must be a hello.
func (a *Adapter) readHello(ws *websocket.Conn) (HelloFrame, error) {
	ctx, cancel := context.WithTimeout(a.ctx, helloTimeout)
	defer cancel()
	_, data, err := ws.Read(ctx)
	if err != nil {
		return HelloFrame{}, err
	}
	f, err := ParseFrame(data)
	if err != nil {
		return HelloFrame{}, err
	}
	h, ok := f.(HelloFrame)
	if !ok {
		return HelloFrame{}, errors.New("the first frame must be a hello")
	}
	return h, nil
}

// refuse tells the widget why and closes the socket.
func (a *Adapter) refuse(ws *websocket.Conn, code, msg string) {
	ctx, cancel := context.WithTimeout(a.ctx, time.Second)
	defer cancel()
	_ = ws.Write(ctx, websocket.MessageText, errorFrame(code, msg, "").data)
	_ = ws.Close(websocket.StatusPolicyViolation, clip(code, 100))
}

// readLoop reads the visitor's frames until the socket closes or stays
// silent for the idle timeout (widgets ping every 25 seconds).
func (a *Adapter) readLoop(ctx context.Context, s *session) {
	for {
		// Not derived from ctx: a child of the adapter's context would sit
		// in its children map for every idle socket. Close ends the reads
		// by closing the sockets.
		rctx, cancel := context.WithTimeout(context.Background(), a.cfg.IdleTimeout)
		_, data, err := s.c.ws.Read(rctx)
		cancel()
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				a.log.Debug("socket read", "visitor", s.visitor, "err", err)
			}
			return
		}
		shallow(func() {
			f, err := ParseFrame(data)
			if err != nil {
				s.reply(errorFrame("bad_frame", err.Error(), ""))
				return
			}
			s.handle(ctx, f)
		})
	}
}

// visitorLeft runs once a visitor's last socket has been closed for the
// offline grace: the hub drops the LIVE label of their conversations.
func (a *Adapter) visitorLeft(visitor string) {
	a.background(func(ctx context.Context) error {
		if _, err := a.hub().Store().ContactByIdentity(ctx, a.name, visitor); err != nil {
			return nil // never wrote: nothing is live
		}
		return a.hub().ContactPresenceChanged(ctx, a.name, visitor, false)
	})
}

// background runs fn on its own goroutine with a bounded context, unless
// too many are running already; failures are logged.
func (a *Adapter) background(fn func(ctx context.Context) error) {
	select {
	case a.work <- struct{}{}:
	case <-a.ctx.Done():
		return
	default:
		a.log.Warn("background work dropped: too much in flight")
		return
	}
	go func() {
		defer func() { <-a.work }()
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("background work", "err", err)
		}
	}()
}

// writeError answers an HTTP request with a JSON error the widget shows.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(encode(map[string]map[string]string{"error": {"code": code, "message": msg}}))
}

// isRefusal reports whether err is the hub refusing the input (as opposed to
// failing to store it).
func isRefusal(err error) bool {
	switch core.ErrorCode(err) {
	case core.CodeInvalid, core.CodeTooLarge, core.CodeCapability, core.CodeForbidden, core.CodeConflict:
		return true
	}
	return false
}
