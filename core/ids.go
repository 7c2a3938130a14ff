package core

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// RandomIDs makes ids of the form "<prefix>_<26 chars>": a millisecond
// timestamp followed by 80 random bits in Crockford base32, so ids sort by
// creation time.
type RandomIDs struct {
	mu   sync.Mutex
	last uint64
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// New returns a fresh id with the given prefix.
func (g *RandomIDs) New(prefix string) string {
	ms := uint64(time.Now().UnixMilli())
	g.mu.Lock()
	if ms <= g.last {
		ms = g.last // keep the time part monotonic across clock steps
	}
	g.last = ms
	g.mu.Unlock()

	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+)
	// 128 bits -> 26 base32 digits; the top 48 bits hold the time.
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	out := make([]byte, 0, len(prefix)+27)
	out = append(out, prefix...)
	out = append(out, '_')
	var digits [26]byte
	for i := 25; i >= 0; i-- {
		digits[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(append(out, digits[:]...))
}
