package whatsapp

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

// sampleAttachment makes the harness's attachments from sampleFile.
func sampleAttachment(e *hubEnv) func(string, bool) (core.Attachment, bool) {
	return func(mimeType string, voice bool) (core.Attachment, bool) {
		data, ok := sampleFile[mimeType]
		if !ok {
			return core.Attachment{}, false
		}
		a := e.attachment("sample", data)
		if a.MIMEType != mimeType {
			return core.Attachment{}, false // the store sniffed something else
		}
		a.Voice = voice
		return a, true
	}
}

func TestCloudAdapter_passes_the_adapter_conformance_suite(t *testing.T) {
	e := newCloudEnv(t, nil)
	var n atomic.Int64
	channeltest.Run(t, channeltest.Harness{
		Channel: e.adapter,
		Outbound: func() core.Outbound {
			o := e.outbound(fmt.Sprintf("msg_c%d", n.Add(1)), "hello")
			o.LastContactAt = e.clock.Now().Add(-time.Hour)
			return o
		},
		Delivered:  e.graph.delivered,
		Attachment: sampleAttachment(e.hubEnv),
	})
}
