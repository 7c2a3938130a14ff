package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/core"
)

const webchatTestSecret = "e2e-widget-secret-0123456789abcdefgh"

func webchatYAML() string {
	return `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: web
    type: webchat
    secret: ` + webchatTestSecret + `
    title: Acme help
    greeting: Hi! How can we help?
    offline_text: We answer by email within a day.
    allowed_origins: ["https://shop.example.com"]
  - name: crm
    type: webhook
    secret: ` + testSecret + `
`
}

// wcVisitor is a widget driven from Go over the real server's socket.
type wcVisitor struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	hello  map[string]any
}

func (h *hubUnderTest) webchatVisitor(hello map[string]any) *wcVisitor {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.base, "http")+"/webchat/web/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example.com"}}})
	if err != nil {
		h.t.Fatalf("dial the web chat: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	h.t.Cleanup(func() { ws.CloseNow() })
	v := &wcVisitor{t: h.t, ws: ws, frames: make(chan map[string]any, 256)}
	go func() {
		defer close(v.frames)
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(data, &f) == nil {
				v.frames <- f
			}
		}
	}()
	if hello == nil {
		hello = map[string]any{}
	}
	hello["type"] = "hello"
	v.send(hello)
	v.hello = v.next("welcome")
	return v
}

func (v *wcVisitor) send(f map[string]any) {
	v.t.Helper()
	b, _ := json.Marshal(f)
	if err := v.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		v.t.Fatal(err)
	}
}

func (v *wcVisitor) next(typ string) map[string]any {
	v.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				v.t.Fatalf("the web chat socket closed while waiting for %s", typ)
			}
			if f["type"] == typ {
				return f
			}
		case <-timeout:
			v.t.Fatalf("no %s frame within 10s", typ)
		}
	}
}

func msgOf(f map[string]any) map[string]any { m, _ := f["message"].(map[string]any); return m }

func TestWebchatEndToEnd_visitor_and_operator_talk_through_the_real_server(t *testing.T) {
	h := startHub(t, webchatYAML())
	ann := h.operator("ann@example.com", core.RoleOperator)
	ann.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)

	// The visitor writes: an online operator gets the conversation, LIVE.
	v := h.webchatVisitor(nil)
	if v.hello["online"] != true {
		t.Errorf("welcome online = %v with Ann online", v.hello["online"])
	}
	v.send(map[string]any{"type": "message", "id": "w1", "text": "Hello from the website"})
	mine := msgOf(v.next("sent"))
	convID, _ := mine["conversation"].(string)
	var conv apiConversation
	ann.do("GET", "/api/v1/conversations/"+convID, nil, http.StatusOK, &conv)
	if conv.Assignee != ann.op.ID || len(conv.Labels) != 1 || conv.Labels[0] != core.LabelLive {
		t.Fatalf("conversation = %+v, want Ann's and LIVE", conv)
	}

	// Ann replies through the API; the visitor's socket gets it through the
	// outbox, the bus and the adapter, and reads it.
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"text": "Hi! Happy to help."}, http.StatusCreated, &reply)
	got := msgOf(v.next("message"))
	if got["id"] != reply.ID || got["text"] != "Hi! Happy to help." || got["operator"] != "ann" {
		t.Fatalf("visitor got %v, want Ann's reply %s", got, reply.ID)
	}
	v.send(map[string]any{"type": "ack", "ids": []string{reply.ID}, "read": true})
	waitFor(t, "the reply to show as read", func() bool {
		for _, m := range ann.messages(convID) {
			if m.ID == reply.ID {
				return m.Status == "read"
			}
		}
		return false
	})

	// Offline, then back: the replies written meanwhile arrive, in order.
	v.ws.CloseNow()
	var want []string
	for _, text := range []string{"Are you still there?", "I found your order.", "It ships today."} {
		ann.do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"text": text}, http.StatusCreated, nil)
		want = append(want, text)
	}
	waitFor(t, "the offline replies to be sent", func() bool {
		n := 0
		for _, m := range ann.messages(convID) {
			if m.Status == "sent" {
				n++
			}
		}
		return n == 3
	})
	back := h.webchatVisitor(map[string]any{"token": v.hello["token"], "last": reply.ID, "since": v.hello["now"]})
	var texts []string
	for _, m := range back.hello["history"].([]any) {
		texts = append(texts, m.(map[string]any)["text"].(string))
	}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("resumed history = %q, want %q", texts, want)
	}

	// $rating through the API prompts the online visitor; the score lands
	// in the transcript.
	ann.do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"text": "$rating"}, http.StatusOK, nil)
	back.next("rating")
	back.send(map[string]any{"type": "rate", "score": 5, "comment": "great"})
	back.next("rated")
	waitFor(t, "the rating in the transcript", func() bool {
		msgs := ann.messages(convID)
		return strings.Contains(msgs[len(msgs)-1].Text, "5/5")
	})
}

func TestWebchatEndToEnd_widget_script_and_demo_page_are_served(t *testing.T) {
	h := startHub(t, webchatYAML())
	req, _ := http.NewRequest("GET", h.base+"/widget.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("widget.js: status %d, headers %v", resp.StatusCode, resp.Header)
	}
	if len(gz) >= 40<<10 {
		t.Errorf("widget.js is %d bytes gzipped, want under 40 KB", len(gz))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(zr)
	if !bytes.Contains(js, []byte("data-widget")) {
		t.Error("widget.js does not read data-widget")
	}
	resp, err = http.Get(h.base + "/demo")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte(`<script src="/widget.js" data-widget="web" async>`)) {
		t.Fatalf("/demo: status %d, page %s", resp.StatusCode, page)
	}
	if resp, _ := http.Get(h.base + "/demo?widget=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/demo of an unknown widget: status %d, want 404", resp.StatusCode)
	}
}

func TestWebchatEndToEnd_two_widgets_share_the_script_and_keep_their_own_endpoints(t *testing.T) {
	h := startHub(t, webchatYAML()+`  - name: sales
    type: webchat
    secret: `+webchatTestSecret+`-sales
    group: sales
`)
	for _, path := range []string{"/webchat/web/config", "/webchat/sales/config", "/widget.js", "/demo?widget=sales"} {
		req, _ := http.NewRequest("GET", h.base+path, nil)
		req.Header.Set("Origin", h.base)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestWebchatConfig_documented_keys_decode_and_unknown_ones_are_refused(t *testing.T) {
	dir := t.TempDir()
	write := func(extra string) error {
		y := `listen: 127.0.0.1:0
data_dir: ` + dir + `
channels:
  - name: web
    type: webchat
    group: support
    secret: ` + webchatTestSecret + `
    title: Acme help
    color: "#2f6fde"
    greeting: Hi! How can we help?
    offline_text: We answer by email within a day.
    locale: de
    allowed_origins: [https://www.example.com, "https://*.example.com"]
    conversation_timeout: 30m
    features: {uploads: true, voice: false, rating: true, email_capture: false, privacy_mode: true}
    capabilities: {attachments: [image/*, application/pdf], max_attachment_size: 10485760}
` + extra
		file := dir + "/switchboard.yaml"
		if err := os.WriteFile(file, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(file, nil)
		return err
	}
	if err := write(""); err != nil {
		t.Fatalf("the documented keys: %v", err)
	}
	if err := write("    colour: red\n"); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("an unknown key: err = %v, want it named", err)
	}
}
