package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// crashEnv names the database a re-executed test binary writes to until it
// is killed.
const crashEnv = "SWITCHBOARD_SQLITE_CRASH_DB"

// TestMain lets the test binary double as the process that gets killed.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		writeUntilKilled(path)
		return
	}
	os.Exit(m.Run())
}

// writeUntilKilled inserts messages from several goroutines and prints the
// id of each one Update acknowledged.
func writeUntilKilled(path string) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		fmt.Println("error", err)
		return
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("msg_%d_%d", w, i)
				err := s.Update(context.Background(), func(ctx context.Context, tx core.Tx) error {
					return tx.InsertMessage(ctx, message(id, "cnv_1", "crm", id, "x"))
				})
				if err != nil {
					fmt.Println("error", err)
					return
				}
				mu.Lock()
				fmt.Println("ack", id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestUpdate_acknowledged_writes_survive_kill_9(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	s := openAt(t, path)
	seed(t, s, "ctc_1", "cnv_1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "ack "); ok {
			acked = append(acked, id)
			continue
		}
		t.Fatalf("writer: %s", line)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Acks printed after the kill was sent still count.
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked = append(acked, id)
		}
	}
	cmd.Wait()

	s = openAt(t, path)
	for _, id := range acked {
		if _, err := s.Message(context.Background(), id); err != nil {
			t.Errorf("acknowledged message %s lost: %v", id, err)
		}
	}
	if len(acked) < 300 {
		t.Errorf("only %d acknowledgements before the kill, want 300", len(acked))
	}
}
