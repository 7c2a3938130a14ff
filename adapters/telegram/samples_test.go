package telegram

import (
	"bytes"
	"sync"
	"time"
)

// testClock is the hub's clock: the real time, moved on by Advance.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.off)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// headers are the first bytes of a file of each type, enough for the blob
// store to sniff it.
var headers = map[string][]byte{
	"image/jpeg":      []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),
	"image/png":       []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
	"image/webp":      []byte("RIFF\x00\x00\x00\x00WEBPVP8 "),
	"application/pdf": []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
	// An Ogg page whose first packet is an Opus header.
	"audio/ogg":  append([]byte("OggS\x00\x02"+string(make([]byte, 20))+"\x01\x13"), []byte("OpusHead\x01\x01")...),
	"audio/mpeg": append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0}, 8)...),
	"video/mp4":  []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"),
}

// sample is a file of type mimeType, size bytes long (at least its header).
func sample(mimeType string, size int) []byte {
	h, ok := headers[mimeType]
	if !ok {
		panic("no sample header for " + mimeType)
	}
	b := make([]byte, max(size, len(h)))
	copy(b, h)
	for i := len(h); i < len(b); i++ {
		b[i] = byte(i * 7) // not text: the sniffers must go by the header
	}
	return b
}
