package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/core"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// hubUnderTest is a running app serving on loopback.
type hubUnderTest struct {
	t    *testing.T
	app  *app
	base string
}

// startHub writes yamlText (with %DATA% replaced by a temp dir) to a file,
// loads it like the binary does and serves it until the test ends.
func startHub(t *testing.T, yamlText string) *hubUnderTest {
	t.Helper()
	h := serveHub(t, yamlText)
	h.t = t
	return h
}

// startBenchHub is startHub for a benchmark: the hub stops when the
// benchmark function returns, so repeated runs (-count, the probe run with
// b.N = 1) do not leave hubs competing for the CPU.
func startBenchHub(b *testing.B, yamlText string) *hubUnderTest {
	b.Helper()
	return serveHub(b, yamlText)
}

func serveHub(tb testing.TB, yamlText string) *hubUnderTest {
	tb.Helper()
	dir := tb.TempDir()
	yamlText = strings.ReplaceAll(yamlText, "%DATA%", dir)
	file := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(file, []byte(yamlText), 0o600); err != nil {
		tb.Fatal(err)
	}
	cfg, err := loadConfig(file, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("app stopped with %v", err)
		}
	})
	return &hubUnderTest{app: a, base: "http://" + a.listener.Addr().String()}
}

// operator creates an operator and logs them in, returning a client.
func (h *hubUnderTest) operator(email string, role core.Role) *apiClient {
	h.t.Helper()
	op, err := h.app.hub.CreateOperator(context.Background(), core.NewOperator{
		Email: email, Name: strings.Split(email, "@")[0], Password: "correct horse battery", Role: role,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	c := &apiClient{t: h.t, base: h.base, op: op}
	var out struct{ Token string }
	c.do("POST", "/api/v1/session", map[string]string{"email": email, "password": "correct horse battery"}, http.StatusOK, &out)
	if out.Token == "" {
		h.t.Fatal("login returned no token")
	}
	c.token = out.Token
	return c
}

// signedPost posts body to a webhook channel, signed with secret.
func signedPost(t *testing.T, url, secret string, body []byte) (*http.Response, []byte) {
	t.Helper()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	webhook.SignHeader(req.Header, key, fmt.Sprintf("msg_%d", time.Now().UnixNano()), time.Now(), body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// inboundMessage is the receipt of a signed inbound message.
type inboundMessage struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
}

// send posts a message from contact to channel and expects status.
func (h *hubUnderTest) send(channel, id, contact, text string, status int) inboundMessage {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"id": id, "contact": map[string]string{"id": contact, "name": "Contact " + contact}, "text": text})
	resp, b := signedPost(h.t, h.base+"/api/v1/channels/"+channel+"/messages", testSecret, body)
	if resp.StatusCode != status {
		h.t.Fatalf("inbound %s: status %d (%s), want %d", id, resp.StatusCode, b, status)
	}
	var out inboundMessage
	_ = json.Unmarshal(b, &out)
	return out
}

// apiClient calls the operator API as one operator.
type apiClient struct {
	t     *testing.T
	base  string
	token string
	op    core.Operator
}

// do sends a JSON request and decodes the JSON answer into out, failing the
// test unless the status is want.
func (c *apiClient) do(method, path string, body any, want int, out any) []byte {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.roundTrip(req, want, out)
}

func (c *apiClient) roundTrip(req *http.Request, want int, out any) []byte {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d (%s), want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", req.Method, req.URL.Path, b, err)
		}
	}
	return b
}

// apiMessage is a message as the API shows it.
type apiMessage struct {
	ID        string `json:"id"`
	Direction string `json:"direction"`
	Text      string `json:"text"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Attempts  int    `json:"attempts"`
	Note      bool   `json:"note"`
}

func (c *apiClient) messages(conversationID string) []apiMessage {
	c.t.Helper()
	var out struct{ Messages []apiMessage }
	c.do("GET", "/api/v1/conversations/"+conversationID+"/messages", nil, http.StatusOK, &out)
	return out.Messages
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receiver is an external system's endpoint: it verifies Standard Webhooks
// signatures and records what arrives, answering with the statuses queued
// in answers (then 200).
type receiver struct {
	t       *testing.T
	key     []byte
	mu      sync.Mutex
	bodies  [][]byte
	ids     []string
	answers []int
	calls   int
}

func newReceiver(t *testing.T, secret string, answers ...int) *receiver {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return &receiver{t: t, key: key, answers: answers}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	v := webhook.Verifier{Key: r.key}
	if err := v.Verify(req.Header, body); err != nil {
		r.t.Errorf("receiver got a badly signed request: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if len(r.answers) > 0 {
		code := r.answers[0]
		r.answers = r.answers[1:]
		if code != http.StatusOK {
			http.Error(w, fmt.Sprintf("refused with %d", code), code)
			return
		}
	}
	r.bodies = append(r.bodies, body)
	r.ids = append(r.ids, req.Header.Get("webhook-id"))
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) received() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

func (r *receiver) callCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}
