package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// serviceWindow is WhatsApp's customer service window: free-form messages
// may be sent until 24 hours after the contact's last message.
const serviceWindow = 24 * time.Hour

// checkSend refuses what the Cloud API would refuse for this conversation,
// with the reason for the operator.
func (d *cloudDriver) checkSend(ctx context.Context, c core.SendCheck) error {
	return d.check(ctx, c)
}

// check applies WhatsApp's rules for business messages: inside the window
// anything goes (a /template message too, if it names a configured
// template with the right values); outside it, or before the contact ever
// wrote, only a configured template, and only to a contact with a recorded
// opt-in. Refusals are *core.CapabilityError.
func (d *cloudDriver) check(ctx context.Context, c core.SendCheck) error {
	name := d.a.name
	call, isTemplate, err := parseTemplateCall(c.Text)
	if err != nil {
		return &core.CapabilityError{Channel: name, Capability: "template", Reason: err.Error()}
	}
	if isTemplate {
		if len(c.Attachments) > 0 {
			return &core.CapabilityError{Channel: name, Capability: "template",
				Reason: "a WhatsApp template carries no attachments; send the file once the contact replies"}
		}
		if _, err := call.resolve(name, d.a.cfg.Templates); err != nil {
			return err
		}
	}
	last := c.Conversation.LastContactAt
	if !last.IsZero() && c.Now.Sub(last) <= serviceWindow {
		return nil
	}
	if !isTemplate {
		return &core.CapabilityError{Channel: name, Capability: "window", Reason: d.windowReason(last, c.Now)}
	}
	return d.consents.require(ctx, name, c.To.ID)
}

// windowReason says why free text cannot go, and what can.
func (d *cloudDriver) windowReason(last, now time.Time) string {
	rule := "WhatsApp lets a business write first only with an approved template"
	if !last.IsZero() {
		rule = fmt.Sprintf("WhatsApp allows free-form messages only within 24 hours of the contact's last message; the last message was %s ago", ago(now.Sub(last)))
	}
	if len(d.a.cfg.Templates) == 0 {
		return rule + ", and this channel has no approved templates configured"
	}
	return fmt.Sprintf("%s. Send one instead: %s NAME value 1 | value 2 (templates: %s)", rule, templateCommand, templateNames(d.a.cfg.Templates))
}

// ago renders an age past the 24-hour window for people: whole hours below
// two days ("30 hours"), whole days above ("9 days").
func ago(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
