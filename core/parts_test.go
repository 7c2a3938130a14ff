package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// mapState is a core.ChannelState in memory.
type mapState struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapState) Get(_ context.Context, k string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return nil, core.ErrNotFound
	}
	return v, nil
}

func (s *mapState) Put(_ context.Context, k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

func (s *mapState) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

func TestSendParts_a_retry_sends_only_the_parts_still_missing(t *testing.T) {
	ctx := context.Background()
	state := &mapState{m: map[string][]byte{}}
	out := core.Outbound{MessageID: "msg_1"}
	var sent []int
	fail := 2 // the third part fails once
	send := func(_ context.Context, i int) (string, error) {
		if i == fail {
			fail = -1
			return "", errors.New("connection reset")
		}
		sent = append(sent, i)
		return "p" + string(rune('a'+i)), nil
	}
	_, err := core.SendParts(ctx, state, out, 4, send)
	if err == nil || !strings.Contains(err.Error(), "part 3 of 4") || core.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error naming part 3 of 4", err)
	}
	ids, err := core.SendParts(ctx, state, out, 4, send)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids, ","); got != "pa,pb,pc,pd" {
		t.Fatalf("ids = %s, want pa,pb,pc,pd", got)
	}
	if len(sent) != 4 {
		t.Fatalf("parts sent %v, want each once", sent)
	}
	if len(state.m) != 0 {
		t.Fatalf("records left behind: %v", state.m)
	}
}

func TestSendParts_keeps_a_permanent_refusal_permanent(t *testing.T) {
	state := &mapState{m: map[string][]byte{}}
	_, err := core.SendParts(context.Background(), state, core.Outbound{MessageID: "m"}, 2, func(_ context.Context, i int) (string, error) {
		if i == 1 {
			return "", core.Permanent(errors.New("file type refused"))
		}
		return "x", nil
	})
	if !core.IsPermanent(err) || !strings.Contains(err.Error(), "part 2 of 2: file type refused") {
		t.Fatalf("err = %v, want permanent, naming part 2 of 2", err)
	}
	if _, err := core.SendParts(context.Background(), state, core.Outbound{}, 0, nil); !core.IsPermanent(err) {
		t.Fatalf("nothing to send: err = %v, want permanent", err)
	}
}
