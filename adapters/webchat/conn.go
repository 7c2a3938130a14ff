package webchat

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// outFrame is one encoded server frame waiting for a socket. msgID is set
// for message frames, so a socket that just replayed history can drop the
// live copy of a message it already sent.
type outFrame struct {
	msgID string
	data  []byte
	// droppable frames (typing) are left out rather than queued when the
	// socket is already behind.
	droppable bool
}

// conn is one visitor socket. Frames for it go through a bounded queue
// drained by a writer goroutine that exists only while there is something
// to write, so an idle socket costs its reader goroutine alone. A socket
// whose queue fills up, or whose write takes longer than the write timeout,
// is closed: the widget reconnects and resumes from the store, so nothing
// is lost, and no other socket ever waits for it.
type conn struct {
	ws           *websocket.Conn
	visitor      string
	max          int
	writeTimeout time.Duration
	// drop closes the socket; it runs at most once, on its own goroutine.
	drop func(reason string)

	mu      sync.Mutex
	queue   []outFrame
	ready   bool // history sent: queued frames may go out
	writing bool // a writer goroutine is draining the queue
	closed  bool
	// skip holds ids of messages sent in the history that a live copy may
	// still follow (messages committed around the time the socket
	// connected); the live copy is dropped.
	skip map[string]struct{}
	once sync.Once
}

// enqueue queues f without ever blocking. It reports false when the socket
// is closed or was just closed for falling behind.
func (c *conn) enqueue(f outFrame) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	if f.msgID != "" && c.skip != nil {
		if _, ok := c.skip[f.msgID]; ok {
			delete(c.skip, f.msgID)
			c.mu.Unlock()
			return true
		}
	}
	if f.droppable && len(c.queue) >= c.max/2 {
		c.mu.Unlock()
		return true
	}
	if len(c.queue) >= c.max {
		c.closed = true
		c.queue = nil
		c.mu.Unlock()
		c.close("the connection fell too far behind")
		return false
	}
	c.queue = append(c.queue, f)
	start := c.ready && !c.writing
	if start {
		c.writing = true
	}
	c.mu.Unlock()
	if start {
		go c.flush()
	}
	return true
}

// start lets queued frames go out once the history is written. Frames of
// messages the history already held are dropped from the queue.
func (c *conn) start(sent map[string]struct{}) {
	c.mu.Lock()
	c.ready = true
	if len(sent) > 0 {
		kept := c.queue[:0]
		for _, f := range c.queue {
			if _, dup := sent[f.msgID]; f.msgID != "" && dup {
				delete(sent, f.msgID)
				continue
			}
			kept = append(kept, f)
		}
		c.queue = kept
		if len(sent) > 0 {
			c.skip = sent
		}
	}
	start := len(c.queue) > 0 && !c.writing && !c.closed
	if start {
		c.writing = true
	}
	c.mu.Unlock()
	if start {
		go c.flush()
	}
}

// flush writes queued frames until the queue is empty, then ends.
func (c *conn) flush() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.writing = false
			c.queue = nil // let a burst's backing array go
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		for _, f := range batch {
			if err := c.write(f.data); err != nil {
				c.mu.Lock()
				c.closed, c.writing, c.queue = true, false, nil
				c.mu.Unlock()
				c.close("write: " + err.Error())
				return
			}
		}
	}
}

func (c *conn) write(data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.writeTimeout)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, data)
}

// isClosed reports whether the socket was dropped.
func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// close drops the socket once, without waiting for the peer.
func (c *conn) close(reason string) {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		if c.drop != nil {
			go c.drop(reason)
		}
	})
}

// registry knows every live socket of one channel instance, by visitor.
type registry struct {
	mu       sync.RWMutex
	visitors map[string]*presence
}

// presence is one visitor's sockets and what is kept while they browse
// from page to page: the pages seen before they ever wrote, and the timer
// that reports them gone.
type presence struct {
	conns []*conn
	pages []string
	gone  *time.Timer
}

func newRegistry() *registry { return &registry{visitors: map[string]*presence{}} }

// add registers c and reports whether its visitor just came online (no
// socket before and none within the offline grace).
func (r *registry) add(c *conn) (cameOnline bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.visitors[c.visitor]
	if p == nil {
		p = &presence{}
		r.visitors[c.visitor] = p
		cameOnline = true
	}
	if p.gone != nil {
		p.gone.Stop()
		p.gone = nil
	}
	p.conns = append(p.conns, c)
	return cameOnline
}

// remove unregisters c. When it was the visitor's last socket, gone runs
// after grace unless a socket of theirs connects meanwhile.
func (r *registry) remove(c *conn, grace time.Duration, gone func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.visitors[c.visitor]
	if p == nil {
		return
	}
	for i, x := range p.conns {
		if x == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			break
		}
	}
	if len(p.conns) > 0 {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(grace, func() {
		r.mu.Lock()
		if q := r.visitors[c.visitor]; q == nil || q.gone != t {
			r.mu.Unlock()
			return // came back meanwhile
		}
		delete(r.visitors, c.visitor)
		r.mu.Unlock()
		gone()
	})
	p.gone = t
}

// push queues f on every socket of visitor except skip; it reports how many
// sockets took it.
func (r *registry) push(visitor string, f outFrame, except *conn) int {
	r.mu.RLock()
	var conns []*conn
	if p := r.visitors[visitor]; p != nil {
		conns = append(conns, p.conns...)
	}
	r.mu.RUnlock()
	n := 0
	for _, c := range conns {
		if c != except && c.enqueue(f) {
			n++
		}
	}
	return n
}

// broadcast queues f on every socket.
func (r *registry) broadcast(f outFrame) {
	r.mu.RLock()
	conns := make([]*conn, 0, len(r.visitors))
	for _, p := range r.visitors {
		conns = append(conns, p.conns...)
	}
	r.mu.RUnlock()
	for _, c := range conns {
		c.enqueue(f)
	}
}

// online reports whether visitor has a socket open.
func (r *registry) online(visitor string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p := r.visitors[visitor]
	return p != nil && len(p.conns) > 0
}

// notePage remembers a page a visitor saw, until takePages records it on
// their contact. At most keep pages are kept.
func (r *registry) notePage(visitor, url string, keep int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.visitors[visitor]
	if p == nil || url == "" || (len(p.pages) > 0 && p.pages[len(p.pages)-1] == url) {
		return
	}
	p.pages = append(p.pages, url)
	if len(p.pages) > keep {
		p.pages = p.pages[len(p.pages)-keep:]
	}
}

// takePages returns the pages noted since the last call.
func (r *registry) takePages(visitor string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.visitors[visitor]
	if p == nil {
		return nil
	}
	pages := p.pages
	p.pages = nil
	return pages
}

// closeAll drops every socket.
func (r *registry) closeAll(reason string) {
	r.mu.Lock()
	var conns []*conn
	for _, p := range r.visitors {
		conns = append(conns, p.conns...)
		if p.gone != nil {
			p.gone.Stop()
		}
	}
	r.visitors = map[string]*presence{}
	r.mu.Unlock()
	for _, c := range conns {
		c.close(reason)
	}
}

// count returns the number of open sockets.
func (r *registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := 0
	for _, p := range r.visitors {
		n += len(p.conns)
	}
	return n
}
