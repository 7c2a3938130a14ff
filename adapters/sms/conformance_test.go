package sms

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

func harness(t *testing.T, r *rig, delivered func() int) channeltest.Harness {
	var n atomic.Int64
	return channeltest.Harness{
		Channel: r.a,
		Outbound: func() core.Outbound {
			id := fmt.Sprintf("msg_%d", n.Add(1))
			return outbound(id, "conformance "+id)
		},
		Delivered: delivered,
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			data, ok := samples[mimeType]
			if !ok {
				return core.Attachment{}, false
			}
			return r.blobs.attachment(t, data, voice), true
		},
	}
}

func TestTwilioDriver_passes_the_adapter_conformance_suite(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL})
	channeltest.Run(t, harness(t, r, twilio.accepted))
}

func TestGenericDriver_passes_the_adapter_conformance_suite(t *testing.T) {
	r, g := newGenericRig(t)
	channeltest.Run(t, harness(t, r, func() int {
		bodies, _ := g.requests()
		return len(bodies)
	}))
}
