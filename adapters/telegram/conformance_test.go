package telegram

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

func TestAdapter_passes_the_adapter_conformance_suite(t *testing.T) {
	e := newEnv(t, ModePolling)
	var n atomic.Int64
	channeltest.Run(t, channeltest.Harness{
		Channel: e.ad,
		Outbound: func() core.Outbound {
			i := n.Add(1)
			// A chat per message: the suite's sends need not wait for the
			// per-chat turn.
			return core.Outbound{
				MessageID: fmt.Sprintf("msg_%d", i), ConversationID: "cnv_1", Channel: "telegram",
				To: core.ContactRef{ID: fmt.Sprint(710000100 + i)}, Text: "hello", IdempotencyKey: fmt.Sprintf("msg_%d", i),
			}
		},
		Delivered: e.bot.sent,
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			if _, ok := headers[mimeType]; !ok {
				return core.Attachment{}, false
			}
			return e.putBlob("file", sample(mimeType, 512), voice), true
		},
		Sent: func() (core.Message, core.ContactRef) {
			return core.Message{ID: "msg_1", ConversationID: "cnv_1", Channel: "telegram", Direction: core.DirectionOut,
				ProviderMessageID: "710000101:9001"}, core.ContactRef{ID: "710000101"}
		},
	})
}
