package sms

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// outgoing is one message for a driver to submit.
type outgoing struct {
	// ID is the hub's message id: stable across retries.
	ID        string
	To        string
	Text      string
	MediaURLs []string
	// StatusURL receives the provider's delivery reports.
	StatusURL string
	Segments  Segmentation
}

// CheckSend refuses, before anything is queued, a message the channel must
// not send: to a number that opted out, a text over 1,600 characters, more
// than 10 images. Refusals are *core.CapabilityError values whose text is
// shown to the operator. Attachment types and sizes are checked by the hub
// against Capabilities.
func (a *Adapter) CheckSend(ctx context.Context, c core.SendCheck) error {
	return a.check(ctx, a.recipient(c.To), c.Text, len(c.Attachments))
}

// recipient is the number a message goes to: the contact's id on the
// channel, in E.164 where it is a phone number.
func (a *Adapter) recipient(to core.ContactRef) string {
	if e164, ok := normalisePhone(to.ID, a.cfg.DefaultRegion); ok {
		return e164
	}
	return to.ID
}

// check is CheckSend's rule set, shared with Send. An error that is not a
// *core.CapabilityError means the opt-outs could not be read.
func (a *Adapter) check(ctx context.Context, to, text string, media int) error {
	if to == "" {
		return &core.CapabilityError{Channel: a.name, Capability: "recipient", Reason: "the contact has no phone number on this SMS channel"}
	}
	rec, out, err := a.optOuts.get(ctx, to)
	if err != nil {
		return err
	}
	if out {
		return optOutError(a.name, rec)
	}
	if n := utf16Len(text); n > maxTextChars {
		return &core.CapabilityError{Channel: a.name, Capability: "text",
			Reason: fmt.Sprintf("SMS carries at most %d characters per message; this one has %d", maxTextChars, n)}
	}
	if media > maxMedia {
		return &core.CapabilityError{Channel: a.name, Capability: "attachments",
			Reason: fmt.Sprintf("SMS carries at most %d images per message; this one has %d", maxMedia, media)}
	}
	return nil
}

// Send submits an operator message to the provider and returns the
// provider's id for it (Twilio's message SID), which delivery reports
// refer to. Images travel as signed, expiring URLs of the hub that the
// provider fetches.
//
// Send refuses again, permanently, what CheckSend refuses (an opt-out may
// have arrived since the message was queued) and any attachment outside
// the capabilities. Provider refusals are core.Permanent with the
// provider's reason; 429 (after which no request leaves before the
// provider's Retry-After has passed), 5xx, timeouts and network failures
// are returned plain so the bus retries.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if err := ctx.Err(); err != nil {
		return core.SendReceipt{}, err
	}
	to := a.recipient(out.To)
	if err := a.check(ctx, to, out.Text, len(out.Attachments)); err != nil {
		var ce *core.CapabilityError
		if errors.As(err, &ce) {
			return core.SendReceipt{}, core.Permanent(err)
		}
		return core.SendReceipt{}, err
	}
	if out.Text == "" && len(out.Attachments) == 0 {
		return core.SendReceipt{}, core.Permanent(errors.New("the message has neither text nor images"))
	}
	m := outgoing{ID: out.MessageID, To: to, Text: out.Text, StatusURL: a.public + routeStatus, Segments: Segments(out.Text)}
	for _, att := range out.Attachments {
		if err := a.caps.CheckAttachment(a.name, att); err != nil {
			return core.SendReceipt{}, core.Permanent(err)
		}
		m.MediaURLs = append(m.MediaURLs, a.mediaURL(att))
	}
	if err := a.gate.wait(ctx); err != nil {
		return core.SendReceipt{}, err
	}
	id, err := a.driver.send(ctx, m)
	if err != nil {
		return core.SendReceipt{}, a.sendError(ctx, out, to, err)
	}
	a.log.InfoContext(ctx, "message sent", "message", out.MessageID, "provider_id", id,
		"segments", m.Segments.Segments, "encoding", m.Segments.Encoding, "media", len(m.MediaURLs))
	return core.SendReceipt{ProviderMessageID: id}, nil
}

// sendError records what a driver's failure teaches (a rate limit, an
// opt-out at the provider) and returns the error for the bus.
func (a *Adapter) sendError(ctx context.Context, out core.Outbound, to string, err error) error {
	var rl *rateLimitError
	if errors.As(err, &rl) {
		a.gate.block(rl.until)
	}
	var pe *providerError
	if errors.As(err, &pe) && a.driver.unsubscribed(pe.code) {
		rec := optOutRecord{Number: to, Note: fmt.Sprintf("%s refused the message: error %s, %s", a.driver.label(), pe.code, pe.message), At: a.now().UTC()}
		if perr := a.optOuts.put(ctx, rec); perr != nil {
			a.log.ErrorContext(ctx, "opt-out reported by the provider not recorded", "number", to, "err", perr)
		}
	}
	a.log.WarnContext(ctx, "message not sent", "message", out.MessageID, "attempt", out.Attempt,
		"permanent", core.IsPermanent(err), "err", err)
	return err
}

// utf16Len is the length of s in UTF-16 code units, as Twilio counts the
// characters of a Body.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}
