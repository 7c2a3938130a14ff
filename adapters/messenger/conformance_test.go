package messenger

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

func TestAdapter_passes_the_adapter_conformance_suite(t *testing.T) {
	e := newEnv(t, Config{})
	var n atomic.Int64
	samples := map[string][]byte{
		"image/png":  cdnFiles[".png"],
		"image/jpeg": cdnFiles[".jpg"],
		"audio/mp4":  cdnFiles[".mp4"],
		// An Ogg page header (27 bytes), a one-entry segment table, OpusHead.
		"audio/ogg":       append(append([]byte("OggS\x00\x02"), make([]byte, 20)...), "\x01\x13OpusHead\x01\x01"...),
		"audio/mpeg":      append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 32)...),
		"video/mp4":       []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"),
		"application/pdf": []byte("%PDF-1.4\n%%EOF\n"),
	}
	channeltest.Run(t, channeltest.Harness{
		Channel: e.adapter,
		Outbound: func() core.Outbound {
			return e.reply(fmt.Sprintf("msg_c%d", n.Add(1)), "hello", time.Hour)
		},
		Delivered: e.graph.delivered,
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			data, ok := samples[mimeType]
			if !ok {
				return core.Attachment{}, false
			}
			a := e.attachment("sample", data)
			if a.MIMEType != mimeType {
				return core.Attachment{}, false // the store sniffed something else
			}
			a.Voice = voice
			return a, true
		},
	})
}
