package messenger

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Messenger's reply windows, counted from the contact's last message.
const (
	responseWindow   = 24 * time.Hour
	humanAgentWindow = 7 * 24 * time.Hour
)

// Values of the Send API's messaging_type and tag.
const (
	typeResponse   = "RESPONSE"
	typeMessageTag = "MESSAGE_TAG"
	tagHumanAgent  = "HUMAN_AGENT"
)

// sendMode is how a reply goes out: RESPONSE, or MESSAGE_TAG with a tag.
type sendMode struct {
	MessagingType string
	Tag           string
}

// replyMode decides how a reply to a contact who last wrote at last may be
// sent at now: RESPONSE within 24 hours, MESSAGE_TAG HUMAN_AGENT within 7
// days when humanAgent allows it, otherwise a *core.CapabilityError whose
// reason says why. An unknown last time (zero, or after now) sends RESPONSE
// and leaves the decision to Messenger.
func replyMode(channel string, last, now time.Time, humanAgent bool) (sendMode, error) {
	age := now.Sub(last)
	switch {
	case last.IsZero() || age <= responseWindow:
		return sendMode{MessagingType: typeResponse}, nil
	case humanAgent && age <= humanAgentWindow:
		return sendMode{MessagingType: typeMessageTag, Tag: tagHumanAgent}, nil
	}
	rule := "Messenger allows replies only within 24 hours of the contact's last message"
	if humanAgent {
		rule += " (7 days with the human agent tag)"
	}
	return sendMode{}, &core.CapabilityError{
		Channel: channel, Capability: "window",
		Reason: fmt.Sprintf("%s; the last message was %s ago", rule, ago(age)),
	}
}

// ago renders an age past the 24-hour window for people: whole hours below
// two days ("30 hours"), whole days above ("9 days").
func ago(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}

// CheckSend refuses, before anything is queued, a reply the reply window no
// longer allows, with the reason shown to the operator.
func (a *Adapter) CheckSend(_ context.Context, c core.SendCheck) error {
	now := c.Now
	if now.IsZero() {
		now = a.now()
	}
	_, err := replyMode(a.name, c.Conversation.LastContactAt, now, a.cfg.humanAgent())
	return err
}
