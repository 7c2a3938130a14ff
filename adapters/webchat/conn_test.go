package webchat

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/core"
)

// stuckSocket opens a WebSocket by hand, says hello with the given token,
// and then never reads again: the kernel buffers fill and the server's
// writes to it block.
func stuckSocket(t *testing.T, f *fixture, token string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(f.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	fmt.Fprintf(c, "GET /webchat/web/ws HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", c.RemoteAddr(), testOrigin, base64.StdEncoding.EncodeToString(key))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	hello, _ := json.Marshal(map[string]any{"type": "hello", "token": token})
	mask := []byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | 126, byte(len(hello) >> 8), byte(len(hello))} // masked text frame, 16-bit length
	frame = append(frame, mask...)
	for i, b := range hello {
		frame = append(frame, b^mask[i%4])
	}
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFanOut_a_stuck_socket_never_delays_the_others_and_is_dropped(t *testing.T) {
	f := newFixture(t, Config{SendQueue: 64, WriteTimeout: 2 * time.Second})
	v := f.connect(nil)
	conv := v.write("m1", "hello").str("conversation")
	other := f.connect(nil) // another visitor, for the broadcasts
	stuckSocket(t, f, v.token())
	f.waitFor("three sockets", func() bool { return f.ad.Connections() == 3 })

	const n = 200
	big := strings.Repeat("x", 60<<10)
	var slowest time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if _, err := f.ad.Send(context.Background(), core.Outbound{
			MessageID: fmt.Sprintf("msg_fan_%03d", i), ConversationID: conv, Channel: "web",
			To: core.ContactRef{ID: v.welcome.str("visitor")}, Text: big,
		}); err != nil {
			t.Fatal(err)
		}
		f.ad.reg.broadcast(outFrame{data: encode(presenceEvent{Type: "presence", Online: i%2 == 0})})
		slowest = max(slowest, time.Since(start))
		time.Sleep(2 * time.Millisecond)
	}
	// A Send that waited for the stuck socket would wait for the write
	// timeout (2s); the race detector alone makes some sends slow.
	if slowest > time.Second {
		t.Errorf("the slowest Send took %s: a stuck socket held the sender up", slowest)
	}
	got, presence := 0, 0
	deadline := time.After(10 * time.Second)
	for got < n || presence < n {
		select {
		case fr := <-v.frames:
			if fr.str("type") == "message" {
				if want := fmt.Sprintf("msg_fan_%03d", got); fr.message().str("id") != want {
					t.Fatalf("message %d is %s, want %s", got, fr.message().str("id"), want)
				}
				got++
			}
		case fr := <-other.frames:
			if fr.str("type") == "presence" {
				presence++
			}
		case <-deadline:
			t.Fatalf("in 10s the healthy sockets got %d of %d messages and %d of %d broadcasts", got, n, presence, n)
		}
	}
	f.waitFor("the stuck socket to be dropped", func() bool { return f.ad.Connections() == 2 })
}

func TestConn_queue_overflow_closes_only_that_socket(t *testing.T) {
	c := &conn{max: 4, writeTimeout: time.Second}
	dropped := make(chan string, 1)
	c.drop = func(reason string) { dropped <- reason }
	for i := 0; i < 4; i++ { // not started: nothing is written yet
		if !c.enqueue(outFrame{data: []byte("x")}) {
			t.Fatalf("enqueue %d refused before the queue was full", i)
		}
	}
	if c.enqueue(outFrame{droppable: true, data: []byte("typing")}) != true || len(c.queue) != 4 {
		t.Fatalf("a droppable frame on a socket that is behind: queue %d, want it skipped", len(c.queue))
	}
	if c.enqueue(outFrame{data: []byte("x")}) {
		t.Fatal("the fifth frame was queued past the limit")
	}
	select {
	case reason := <-dropped:
		if !strings.Contains(reason, "behind") {
			t.Errorf("reason = %q", reason)
		}
	case <-time.After(time.Second):
		t.Fatal("the socket was not dropped")
	}
	if c.enqueue(outFrame{data: []byte("x")}) {
		t.Error("a closed socket accepted a frame")
	}
}

func TestConn_start_drops_live_copies_of_messages_the_history_held(t *testing.T) {
	c := &conn{max: 10, writeTimeout: time.Second}
	c.enqueue(outFrame{msgID: "m1", data: []byte("live m1")})
	c.enqueue(outFrame{data: []byte("presence")})
	c.mu.Lock()
	c.writing = true // keep the queue observable: no writer starts
	c.mu.Unlock()
	c.start(map[string]struct{}{"m1": {}, "m2": {}})
	if len(c.queue) != 1 || string(c.queue[0].data) != "presence" {
		t.Fatalf("queue after start = %v, want only the presence frame", c.queue)
	}
	c.enqueue(outFrame{msgID: "m2", data: []byte("late live m2")})
	if len(c.queue) != 1 {
		t.Fatalf("a late live copy of m2 was queued: %v", c.queue)
	}
	c.enqueue(outFrame{msgID: "m2", data: []byte("m2 again")})
	if len(c.queue) != 2 {
		t.Fatal("the skip swallowed more than one copy")
	}
}

func TestRun_closes_visitor_sockets_when_the_hub_stops(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	f.ad.Close()
	select {
	case _, ok := <-v.frames:
		for ok {
			_, ok = <-v.frames
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the socket stayed open after Close")
	}
	if code := websocket.CloseStatus(v.ws.Ping(context.Background())); code != -1 && code != websocket.StatusTryAgainLater {
		t.Errorf("close status = %d, want try again later", code)
	}
}
