package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// optOutPrefix starts the channel state key of an opted-out number.
const optOutPrefix = "optout:"

// optOutRecord records why a number receives no more SMS from the channel.
type optOutRecord struct {
	Number string `json:"number"`
	// Keyword is what the contact sent, upper-cased; empty when the
	// provider revealed the opt-out instead (see Note).
	Keyword string `json:"keyword,omitempty"`
	// Note says how the opt-out was learnt when not by keyword.
	Note string `json:"note,omitempty"`
	// MessageID is the provider id of the keyword message, if any.
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

// optOuts keeps the channel's opted-out numbers in its durable state.
type optOuts struct {
	state core.ChannelState
}

// get returns the opt-out of number, or ok false when it may receive SMS.
// A state failure is returned: a number is never taken as opted in because
// the state could not be read.
func (o optOuts) get(ctx context.Context, number string) (optOutRecord, bool, error) {
	b, err := o.state.Get(ctx, optOutPrefix+number)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return optOutRecord{}, false, nil
	}
	if err != nil {
		return optOutRecord{}, false, fmt.Errorf("read opt-out of %s: %w", number, err)
	}
	var rec optOutRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		// Unreadable, but present: keep refusing rather than send.
		return optOutRecord{Number: number, Keyword: "STOP"}, true, nil
	}
	return rec, true, nil
}

// put records an opt-out; it returns once the record is committed.
func (o optOuts) put(ctx context.Context, rec optOutRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode opt-out: %w", err)
	}
	if err := o.state.Put(ctx, optOutPrefix+rec.Number, b); err != nil {
		return fmt.Errorf("record opt-out of %s: %w", rec.Number, err)
	}
	return nil
}

// remove opts number in again.
func (o optOuts) remove(ctx context.Context, number string) error {
	err := o.state.Delete(ctx, optOutPrefix+number)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return fmt.Errorf("record opt-in of %s: %w", number, err)
	}
	return nil
}

// optOutError is the refusal shown to an operator writing to an opted-out
// number.
func optOutError(channel string, rec optOutRecord) *core.CapabilityError {
	how := "by texting " + rec.Keyword
	if rec.Keyword == "" {
		how = "(" + rec.Note + ")"
	}
	if !rec.At.IsZero() {
		how += " on " + rec.At.UTC().Format("2 Jan 2006")
	}
	return &core.CapabilityError{
		Channel:    channel,
		Capability: "opt_out",
		Reason: fmt.Sprintf("%s opted out of SMS %s; no message can be sent to this number until they text START",
			rec.Number, how),
	}
}
