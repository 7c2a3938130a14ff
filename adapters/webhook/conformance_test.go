package webhook

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

func TestChannel_passes_the_adapter_conformance_suite(t *testing.T) {
	hook := newHookServer(t, nil)
	f := newFixture(t, Config{URL: hook.URL})
	var n atomic.Int64
	samples := map[string][]byte{
		"image/png":       []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"image/jpeg":      []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
		"application/pdf": []byte("%PDF-1.4\n%%EOF\n"),
		"audio/mpeg":      append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0}, 8)...),
	}
	channeltest.Run(t, channeltest.Harness{
		Channel: f.ch,
		Outbound: func() core.Outbound {
			i := n.Add(1)
			return core.Outbound{
				MessageID: fmt.Sprintf("msg_%d", i), ConversationID: "cnv_1", Channel: "crm",
				To: core.ContactRef{ID: "cust-1"}, Text: "hello", IdempotencyKey: fmt.Sprintf("msg_%d", i),
			}
		},
		Delivered: func() int {
			bodies, _ := hook.requests(t)
			return len(bodies)
		},
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			data, ok := samples[mimeType]
			if !ok {
				return core.Attachment{}, false
			}
			b, err := f.blobs.Put(t.Context(), bytes.NewReader(data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return core.Attachment{Filename: "file", MIMEType: mimeType, Size: b.Size, Blob: b.Ref, Voice: voice}, true
		},
		Sent: func() (core.Message, core.ContactRef) {
			return core.Message{ID: "msg_1", ConversationID: "cnv_1", Channel: "crm", Direction: core.DirectionOut},
				core.ContactRef{ID: "cust-1"}
		},
	})
}
