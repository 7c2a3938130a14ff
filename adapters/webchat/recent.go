package webchat

import (
	"sync"
	"time"
)

// recentSet remembers ids for ttl.
type recentSet struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]time.Time
}

func newRecentSet(ttl time.Duration) *recentSet {
	return &recentSet{ttl: ttl, m: map[string]time.Time{}}
}

func (s *recentSet) add(id string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= 1024 {
		for k, at := range s.m {
			if now.Sub(at) > s.ttl {
				delete(s.m, k)
			}
		}
	}
	s.m[id] = now
}

func (s *recentSet) has(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.m[id]
	return ok && now.Sub(at) <= s.ttl
}
