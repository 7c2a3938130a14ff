package sms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// statusKinds maps provider delivery states to what they do to the stored
// message. The empty kind acknowledges without a change: a message shows
// as sent once the provider accepted it.
var statusKinds = map[string]core.Kind{
	"accepted": "", "scheduled": "", "queued": "", "sending": "", "sent": "",
	"delivered":   core.KindDelivered,
	"read":        core.KindRead,
	"undelivered": core.KindFailed,
	"failed":      core.KindFailed,
	"canceled":    core.KindFailed,
}

// Waiting for a report that overtook its message: a provider may report on
// a message before the hub recorded the provider's id for it.
const (
	statusWait     = 3 * time.Second
	statusWaitStep = 100 * time.Millisecond
)

// receiveMessage applies a contact's message: a STOP or START keyword
// updates the opt-outs, anything else is stored with its media through the
// Receiver. It returns once that is durable.
func (a *Adapter) receiveMessage(ctx context.Context, m inboundSMS) error {
	log := a.log.With("message", m.ID)
	switch m.Consent {
	case consentOptOut:
		log.InfoContext(ctx, "contact opted out", "number", m.From, "keyword", m.Keyword)
		return a.optOuts.put(ctx, optOutRecord{Number: m.From, Keyword: m.Keyword, MessageID: m.ID, At: a.now().UTC()})
	case consentOptIn:
		log.InfoContext(ctx, "contact opted in", "number", m.From, "keyword", m.Keyword)
		return a.optOuts.remove(ctx, m.From)
	}
	if m.Text == "" && len(m.Media) == 0 {
		log.InfoContext(ctx, "empty message skipped", "from", m.From)
		return nil
	}
	atts, err := a.storeMedia(ctx, m)
	if err != nil {
		return err
	}
	rc, err := a.recv.Receive(ctx, core.Inbound{
		Channel:           a.name,
		ChannelType:       Type,
		Kind:              core.KindMessage,
		ProviderMessageID: m.ID,
		Contact:           core.ContactRef{ID: m.From, Phone: m.Phone},
		Text:              m.Text,
		Attachments:       atts,
		SentAt:            m.SentAt,
	})
	if code := core.ErrorCode(err); code == core.CodeInvalid || code == core.CodeTooLarge {
		return malformed(err.Error())
	}
	if err != nil {
		return err
	}
	if m.ProviderSegments != 0 && m.ProviderSegments != m.Segments {
		log.DebugContext(ctx, "segment counts differ", "provider", m.ProviderSegments, "counted", m.Segments)
	}
	log.DebugContext(ctx, "message stored", "duplicate", rc.Duplicate, "conversation", rc.ConversationID)
	return nil
}

// receiveStatus applies a delivery report to the message it is about.
// Unknown states are logged and skipped; a report on a message the hub
// never sent is acknowledged and logged, after waiting briefly in case the
// report overtook the hub's record of the send.
func (a *Adapter) receiveStatus(ctx context.Context, s statusReport) error {
	log := a.log.With("message", s.ID, "status", s.Status)
	kind, known := statusKinds[s.Status]
	switch {
	case !known:
		log.InfoContext(ctx, "unknown delivery status skipped")
		return nil
	case kind == "":
		return nil
	}
	in := core.Inbound{Channel: a.name, ChannelType: Type, Kind: kind, Target: s.ID}
	if kind == core.KindFailed {
		in.Error = a.failureReason(s)
		if a.driver.unsubscribed(s.ErrorCode) && s.To != "" {
			if err := a.optOuts.put(ctx, optOutRecord{Number: s.To, Note: a.driver.label() + " reported the number as unsubscribed (error " + s.ErrorCode + ")", At: a.now().UTC()}); err != nil {
				return err
			}
		}
	}
	deadline := time.Now().Add(statusWait)
	for {
		_, err := a.recv.Receive(ctx, in)
		if !errors.Is(err, core.ErrNotFound) && core.ErrorCode(err) != core.CodeNotFound {
			return err
		}
		if time.Now().After(deadline) {
			log.WarnContext(ctx, "delivery status for a message the hub does not know")
			return nil
		}
		t := time.NewTimer(statusWaitStep)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// failureReason is what the operator sees on a failed message: the state,
// the provider's error code and its meaning.
func (a *Adapter) failureReason(s statusReport) string {
	reason := fmt.Sprintf("%s reported the SMS as %s", a.driver.label(), s.Status)
	text := s.ErrorMessage
	if text == "" {
		text = a.driver.describe(s.ErrorCode)
	}
	switch {
	case s.ErrorCode != "" && text != "":
		reason += fmt.Sprintf(": error %s, %s", s.ErrorCode, text)
	case s.ErrorCode != "":
		reason += ": error " + s.ErrorCode
	case text != "":
		reason += ": " + text
	}
	return reason
}
