package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/core"
)

// BenchmarkWebchatReplyLatency measures, with 1,000 visitors connected to
// the real server, the time from an operator reply accepted by the API
// (POST .../messages answered 201) to the visitor's socket receiving it:
// outbox commit, relay, bus, Deliver, the adapter's push and the socket
// write. Replies go round-robin to the visitors, one at a time. One more
// visitor's socket is stuck (never read) and gets a large reply every ten
// iterations; it must not delay anyone.
//
//	go test ./cmd/switchboard -run '^$' -bench WebchatReplyLatency -benchtime 3000x
func BenchmarkWebchatReplyLatency(b *testing.B) {
	const visitors = 1000
	t := &testing.T{}
	h := startHub(t, webchatYAML())
	ctx := context.Background()
	op, err := h.app.hub.CreateOperator(ctx, core.NewOperator{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery", Slots: 5000})
	if err != nil {
		b.Fatal(err)
	}
	api := &apiClient{t: t, base: h.base, op: op}
	var login struct{ Token string }
	api.do("POST", "/api/v1/session", map[string]string{"email": op.Email, "password": "correct horse battery"}, http.StatusOK, &login)
	api.token = login.Token
	api.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)

	var mu sync.Mutex
	arrived := map[string]time.Time{}
	signal := make(chan struct{}, 1)
	dial := func(read bool) (string, *websocket.Conn) {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.base, "http")+"/webchat/web/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example.com"}}})
		if err != nil {
			b.Fatal(err)
		}
		c.SetReadLimit(1 << 20)
		hello, _ := json.Marshal(map[string]any{"type": "hello"})
		c.Write(ctx, websocket.MessageText, hello)
		msg, _ := json.Marshal(map[string]any{"type": "message", "id": "first", "text": "hello"})
		c.Write(ctx, websocket.MessageText, msg)
		for { // welcome, then the confirmation of the message
			_, data, err := c.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var f struct {
				Type    string
				Message struct{ Conversation string }
			}
			json.Unmarshal(data, &f)
			if f.Type == "sent" {
				if read {
					go func() {
						for {
							_, data, err := c.Read(ctx)
							if err != nil {
								return
							}
							at := time.Now()
							var f struct {
								Type    string
								Message struct{ ID string }
							}
							if json.Unmarshal(data, &f) == nil && f.Type == "message" {
								mu.Lock()
								arrived[f.Message.ID] = at
								mu.Unlock()
								select {
								case signal <- struct{}{}:
								default:
								}
							}
						}
					}()
				}
				return f.Message.Conversation, c
			}
		}
	}
	convs := make([]string, visitors)
	for i := range convs {
		convs[i], _ = dial(true)
	}
	stuckConv, stuck := dial(false)
	defer stuck.CloseNow()
	big := strings.Repeat("x", 32<<10)

	accepted := make([]time.Duration, 0, b.N)
	posted := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%10 == 0 {
			api.do("POST", "/api/v1/conversations/"+stuckConv+"/messages", map[string]any{"text": big}, http.StatusCreated, nil)
		}
		start := time.Now()
		var m apiMessage
		api.do("POST", "/api/v1/conversations/"+convs[i%visitors]+"/messages", map[string]any{"text": fmt.Sprintf("reply %d", i)}, http.StatusCreated, &m)
		ok := time.Now()
		deadline := time.After(10 * time.Second)
		for {
			mu.Lock()
			at, got := arrived[m.ID]
			mu.Unlock()
			if got {
				accepted = append(accepted, max(0, at.Sub(ok)))
				posted = append(posted, at.Sub(start))
				break
			}
			select {
			case <-signal:
			case <-deadline:
				b.Fatalf("reply %d did not reach its visitor within 10s", i)
			}
		}
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return float64(s[int(float64(len(s)-1)*p)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(accepted, 0.50), "p50-ms")
	b.ReportMetric(pct(accepted, 0.99), "p99-ms")
	b.ReportMetric(pct(accepted, 1), "max-ms")
	b.ReportMetric(pct(posted, 0.50), "p50-post-ms")
	b.ReportMetric(pct(posted, 0.99), "p99-post-ms")
	b.ReportMetric(float64(visitors), "visitors")
}
