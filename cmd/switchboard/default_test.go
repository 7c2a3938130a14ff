package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveDefault runs `switchboard` with no configuration file until stop is
// called, and returns what it printed once it answers.
func serveDefault(t *testing.T, dataDir, addr string) (stdout *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout = &syncBuffer{}
	done := make(chan int, 1)
	env := []string{"SWITCHBOARD_DATA_DIR=" + dataDir, "SWITCHBOARD_LISTEN=" + addr, "SWITCHBOARD_LOG_LEVEL=warn"}
	go func() { done <- run(ctx, nil, stdout, &syncBuffer{}, env) }()
	waitFor(t, "the default hub to answer", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return stdout, func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("switchboard exited with %d", code)
			}
		case <-time.After(20 * time.Second):
			t.Error("switchboard did not stop")
		}
	}
}

func TestDefault_serves_the_inbox_and_a_demo_web_chat_and_keeps_its_secrets(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	out, stop := serveDefault(t, dir, addr)
	for _, path := range []string{"/", "/demo", "/widget.js", "/api/v1/openapi.json"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", path, resp.StatusCode)
		}
	}
	stop()
	first := out.String()
	if !strings.Contains(first, "password:") || !strings.Contains(first, "whsec_") {
		t.Fatalf("first start printed %q, want the admin password and the webhook secret", first)
	}
	secret, err := os.ReadFile(filepath.Join(dir, "webhook-secret"))
	if err != nil || !strings.Contains(first, strings.TrimSpace(string(secret))) {
		t.Fatalf("kept secret %q (%v) is not the one printed", secret, err)
	}

	out, stop = serveDefault(t, dir, addr)
	stop()
	if again := out.String(); strings.Contains(again, "password:") || strings.Contains(again, "whsec_") {
		t.Fatalf("second start printed %q; secrets and the admin are made once", again)
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, "webhook-secret")); !bytes.Equal(kept, secret) {
		t.Fatal("the webhook secret changed across a restart")
	}
}
