//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

func TestWhatsmeowAdapter_passes_the_adapter_conformance_suite(t *testing.T) {
	for _, allowDelete := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow_delete=%v", allowDelete), func(t *testing.T) {
			e := newMeowEnv(t, "+14155550100", func(c *Config) { c.AllowDelete = allowDelete })
			e.run()
			e.waitHealth(HealthConnected)
			var n atomic.Int64
			channeltest.Run(t, channeltest.Harness{
				Channel:    e.adapter,
				Outbound:   func() core.Outbound { return e.outbound(fmt.Sprintf("msg_c%d", n.Add(1)), "hello") },
				Delivered:  e.fake.delivered,
				Attachment: sampleAttachment(e.hubEnv),
				Sent: func() (core.Message, core.ContactRef) {
					rc, err := e.adapter.Send(context.Background(), e.outbound("msg_del", "to delete"))
					if err != nil {
						t.Fatal(err)
					}
					return core.Message{ID: "msg_del", ProviderMessageID: rc.ProviderMessageID, SentAt: time.Now()},
						core.ContactRef{ID: "+12065550131"}
				},
			})
			if allowDelete {
				sent := e.fake.messages()
				if p := sent[len(sent)-1].Msg.GetProtocolMessage(); p.GetType() != waE2E.ProtocolMessage_REVOKE {
					t.Fatalf("the last message is %v, want the suite's revoke", sent[len(sent)-1].Msg)
				}
			}
		})
	}
}
