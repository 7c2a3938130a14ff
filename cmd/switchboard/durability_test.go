package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the switchboard command once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is the switchboard binary running as a child.
type process struct {
	cmd    *exec.Cmd
	output *bytes.Buffer
}

func startProcess(t *testing.T, bin, config, addr string) *process {
	t.Helper()
	p := &process{output: &bytes.Buffer{}}
	p.cmd = exec.Command(bin, "serve", "--config", config)
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/v1/openapi.json")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("switchboard did not start: %v\n%s", err, p.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// gate is an outbound receiver that holds every request until opened, then
// accepts; it records the webhook-ids it accepted.
type gate struct {
	open chan struct{}
	once sync.Once
	mu   sync.Mutex
	ids  map[string]int
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-g.open:
	case <-r.Context().Done():
		return
	}
	g.mu.Lock()
	g.ids[r.Header.Get("webhook-id")]++
	g.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (g *gate) accepted(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ids[id] > 0
}

func TestDurability_kill9_loses_no_acknowledged_message_and_resumes_deliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildBinary(t)
	g := &gate{open: make(chan struct{}), ids: map[string]int{}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.once.Do(func() { close(g.open) })

	dir := t.TempDir()
	addr := freeAddr(t)
	config := filepath.Join(dir, "switchboard.yaml")
	writeFile(t, config, fmt.Sprintf(`listen: %s
data_dir: %s
channels:
  - name: crm
    type: webhook
    secret: %s
    url: %s
`, addr, filepath.Join(dir, "data"), testSecret, srv.URL))
	if out, err := exec.Command(bin, "operator", "add", "--config", config, "--email", "ann@example.com",
		"--name", "Ann", "--password", "correct horse battery", "--role", "operator").CombinedOutput(); err != nil {
		t.Fatalf("operator add: %v\n%s", err, out)
	}

	p := startProcess(t, bin, config, addr)
	h := &hubUnderTest{t: t, base: "http://" + addr}

	// 1,000 acknowledged messages from 50 contacts, 16 at a time.
	const total = 1000
	acked := make(chan inboundMessage, total)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("k-%d", i), "contact": map[string]string{"id": fmt.Sprintf("c%d", i%50)}, "text": fmt.Sprintf("message %d", i)})
				resp, b := signedPost(t, h.base+"/api/v1/channels/crm/messages", testSecret, body)
				if resp.StatusCode != http.StatusAccepted {
					t.Errorf("message %d: status %d %s", i, resp.StatusCode, b)
					continue
				}
				var r inboundMessage
				_ = json.Unmarshal(b, &r)
				acked <- r
			}
		}()
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	close(acked)

	// Ten replies wait behind a receiver that holds the first one.
	ann := &apiClient{t: t, base: h.base}
	var login struct{ Token string }
	ann.do("POST", "/api/v1/session", map[string]string{"email": "ann@example.com", "password": "correct horse battery"}, http.StatusOK, &login)
	ann.token = login.Token
	conv := assignedConversation(h, ann, "crm", "c0")
	var replies []string
	for i := range 10 {
		var m apiMessage
		ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": fmt.Sprintf("reply %d", i)}, http.StatusCreated, &m)
		replies = append(replies, m.ID)
	}

	p.kill9(t)
	g.once.Do(func() { close(g.open) })
	startProcess(t, bin, config, addr)

	byConversation := map[string]map[string]bool{}
	count := 0
	for r := range acked {
		if byConversation[r.ConversationID] == nil {
			byConversation[r.ConversationID] = map[string]bool{}
		}
		byConversation[r.ConversationID][r.MessageID] = true
		count++
	}
	if count != total {
		t.Fatalf("%d messages acknowledged, want %d", count, total)
	}
	for convID, want := range byConversation {
		for _, m := range ann.messages(convID) {
			delete(want, m.ID)
		}
		if len(want) > 0 {
			t.Fatalf("conversation %s lost %d acknowledged messages after kill -9", convID, len(want))
		}
	}
	waitFor(t, "the replies pending at the kill to be delivered", func() bool {
		for _, id := range replies {
			if !g.accepted(id) {
				return false
			}
		}
		return true
	})
	waitFor(t, "the replies to show as sent", func() bool {
		sent := 0
		for _, m := range ann.messages(conv) {
			if m.Direction == "out" && m.Status == "sent" {
				sent++
			}
		}
		return sent == len(replies)
	})
	_ = os.Remove(config)
}
