package webchat

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

// TestAdapter_passes_the_adapter_conformance_suite runs the shared suite
// with a real widget socket as the "provider": a message counts as
// delivered when the visitor's socket received it.
func TestAdapter_passes_the_adapter_conformance_suite(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	first := v.write("hello", "hello")
	conv := f.conversationOf(first.str("id"))
	to := core.ContactRef{ID: v.welcome.str("visitor")}

	var delivered atomic.Int64
	var deletedSeen atomic.Int64
	go func() {
		for fr := range v.frames {
			switch fr.str("type") {
			case "message":
				delivered.Add(1)
			case "deleted":
				deletedSeen.Add(1)
			}
		}
	}()
	// settled waits until no frame arrived for a while, so the count is
	// what the socket received for the sends made so far.
	settled := func() int {
		last, quietSince := delivered.Load(), time.Now()
		for time.Since(quietSince) < 150*time.Millisecond {
			time.Sleep(20 * time.Millisecond)
			if n := delivered.Load(); n != last {
				last, quietSince = n, time.Now()
			}
		}
		return int(last)
	}
	var n atomic.Int64
	samples := map[string][]byte{
		"image/png":       pngBytes(),
		"application/pdf": []byte("%PDF-1.4\n%%EOF\n"),
		"audio/ogg":       append([]byte("OggS\x00\x02"), bytes.Repeat([]byte{0}, 22)...),
	}
	channeltest.Run(t, channeltest.Harness{
		Channel: f.ad,
		Outbound: func() core.Outbound {
			i := n.Add(1)
			return core.Outbound{
				MessageID: fmt.Sprintf("msg_conformance_%d", i), ConversationID: conv.ID, Channel: "web",
				To: to, Text: "hello", IdempotencyKey: fmt.Sprintf("k%d", i), Operator: f.op.ID,
			}
		},
		Delivered: settled,
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			data, ok := samples[mimeType]
			if !ok {
				return core.Attachment{}, false
			}
			b, err := f.blobs.Put(context.Background(), bytes.NewReader(data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return core.Attachment{Filename: "file", MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref, Voice: voice}, true
		},
		Sent: func() (core.Message, core.ContactRef) {
			return core.Message{ID: "msg_conformance_1", ConversationID: conv.ID, Channel: "web", Direction: core.DirectionOut}, to
		},
	})
	f.waitFor("the deletion marker", func() bool { return deletedSeen.Load() == 1 })
}

// pngBytes is a valid 1x1 PNG.
func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
}
