// Package channeltest is the conformance suite every channel adapter passes:
// it checks the adapter against the core.Channel contract and checks that the
// capabilities it declares match what it implements.
//
// An adapter's test builds the adapter against a fake provider that speaks
// the provider's wire format and calls Run:
//
//	channeltest.Run(t, channeltest.Harness{Channel: ch, Outbound: ..., Delivered: ...})
package channeltest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Harness connects the suite to one adapter instance and its fake provider.
type Harness struct {
	// Channel is the adapter under test, configured against the fake.
	Channel core.Channel
	// Outbound returns a fresh text message the fake provider accepts
	// (unique MessageID and IdempotencyKey, a known recipient).
	Outbound func() core.Outbound
	// Delivered reports how many messages the fake provider has accepted.
	Delivered func() int
	// Attachment, when set, returns an attachment of the given type stored
	// where the channel reads its blobs, or false if the harness cannot
	// make one of that type. The suite then sends what the capabilities
	// claim the channel carries.
	Attachment func(mimeType string, voice bool) (core.Attachment, bool)
	// Sent, when set, returns a message the channel sent earlier, for the
	// deletion check of channels that declare DeleteSent.
	Sent func() (core.Message, core.ContactRef)
}

// Run runs every check as a subtest.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Channel == nil || h.Outbound == nil || h.Delivered == nil {
		t.Fatal("channeltest: Harness needs Channel, Outbound and Delivered")
	}
	t.Run("capabilities_are_well_formed", func(t *testing.T) {
		for _, problem := range capabilityProblems(h.Channel.Capabilities()) {
			t.Error(problem)
		}
	})
	t.Run("declared_deletion_is_implemented", func(t *testing.T) { deletionImplemented(t, h) })
	t.Run("send_delivers_once", func(t *testing.T) { sendDeliversOnce(t, h) })
	t.Run("send_honours_a_cancelled_context", func(t *testing.T) { sendCancelled(t, h) })
	if h.Attachment != nil {
		t.Run("declared_attachments_are_sent", func(t *testing.T) { attachmentsSent(t, h) })
	}
}

// capabilityProblems lists what is wrong with declared capabilities.
func capabilityProblems(c core.Capabilities) []string {
	var out []string
	if c.Label == "" {
		out = append(out, "Label is empty: refusals would not say which channel refused")
	}
	if c.MaxAttachmentSize < 0 || c.MaxAttachmentSize > core.MaxUpload {
		out = append(out, fmt.Sprintf("MaxAttachmentSize = %d, want 0..%d", c.MaxAttachmentSize, core.MaxUpload))
	}
	for _, p := range c.Attachments {
		typ, sub, ok := strings.Cut(p, "/")
		if !ok || typ == "" || sub == "" {
			out = append(out, fmt.Sprintf("attachment pattern %q is not type/subtype", p))
		}
	}
	if c.DeleteWindow < 0 {
		out = append(out, fmt.Sprintf("DeleteWindow = %s, want >= 0", c.DeleteWindow))
	}
	return out
}

// declarationProblem reports capabilities that claim what ch does not
// implement.
func declarationProblem(ch core.Channel) string {
	if _, ok := ch.(core.Deleter); ch.Capabilities().DeleteSent && !ok {
		return "capabilities declare DeleteSent but the adapter does not implement core.Deleter"
	}
	return ""
}

func deletionImplemented(t *testing.T, h Harness) {
	c := h.Channel.Capabilities()
	if problem := declarationProblem(h.Channel); problem != "" {
		t.Fatal(problem)
	}
	d, _ := h.Channel.(core.Deleter)
	if !c.DeleteSent || h.Sent == nil {
		return
	}
	m, to := h.Sent()
	if err := d.Delete(context.Background(), m, to); err != nil {
		t.Fatalf("Delete of a sent message: %v", err)
	}
}

func sendDeliversOnce(t *testing.T, h Harness) {
	before := h.Delivered()
	if _, err := h.Channel.Send(context.Background(), h.Outbound()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := h.Delivered() - before; got != 1 {
		t.Fatalf("the provider accepted %d messages, want 1", got)
	}
}

func sendCancelled(t *testing.T, h Harness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := h.Delivered()
	done := make(chan error, 1)
	go func() {
		_, err := h.Channel.Send(ctx, h.Outbound())
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Send with a cancelled context reported success")
		}
		if core.IsPermanent(err) && !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled send is permanent (%v): it would never be retried", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send ignored its cancelled context for 5s")
	}
	if h.Delivered() != before {
		t.Error("Send with a cancelled context delivered the message")
	}
}

// samples are the types tried for each kind of declared pattern.
var samples = map[string][]string{
	"image": {"image/png", "image/jpeg"},
	"audio": {"audio/mpeg", "audio/ogg"},
	"video": {"video/mp4"},
	"*":     {"image/png", "application/pdf"},
}

func attachmentsSent(t *testing.T, h Harness) {
	c := h.Channel.Capabilities()
	var types []string
	for _, p := range c.Attachments {
		typ, sub, _ := strings.Cut(p, "/")
		if sub != "*" {
			types = append(types, p)
			continue
		}
		types = append(types, samples[typ]...)
	}
	tried := 0
	for _, mt := range types {
		if !c.Accepts(mt) {
			continue
		}
		a, ok := h.Attachment(mt, false)
		if !ok {
			continue
		}
		tried++
		out := h.Outbound()
		out.Attachments = []core.Attachment{a}
		if _, err := h.Channel.Send(context.Background(), out); err != nil {
			t.Errorf("declared type %s: Send: %v", mt, err)
		}
	}
	if c.Voice {
		for _, mt := range []string{"audio/ogg", "audio/mpeg"} {
			a, ok := h.Attachment(mt, true)
			if !ok || !c.Accepts(mt) {
				continue
			}
			tried++
			out := h.Outbound()
			out.Attachments = []core.Attachment{a}
			if _, err := h.Channel.Send(context.Background(), out); err != nil {
				t.Errorf("declared voice: Send of a %s voice message: %v", mt, err)
			}
			break
		}
	}
	if tried == 0 && len(c.Attachments) > 0 {
		t.Error("the harness made no attachment of any declared type")
	}
}
