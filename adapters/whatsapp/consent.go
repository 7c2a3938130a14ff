package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Consent keywords: a message whose whole trimmed text (or a tapped
// button's payload or title) is one of them, ignoring case, spaces, "-"
// and "_", records the contact's choice. A sentence that contains one is
// an ordinary message.
var (
	optOutKeywords = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT"}
	optInKeywords  = []string{"START", "UNSTOP", "SUBSCRIBE", "OPTIN"}
)

// consentChange is an opt-in or opt-out the contact sent.
type consentChange struct {
	OptIn   bool
	Keyword string // as normalised: upper case, no separators
}

// consentKeyword reports the choice text expresses, or nil.
func consentKeyword(text string) *consentChange {
	if len(text) > 32 {
		return nil
	}
	k := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '\t' {
			return -1
		}
		return r
	}, text))
	for _, w := range optOutKeywords {
		if k == w {
			return &consentChange{Keyword: k}
		}
	}
	for _, w := range optInKeywords {
		if k == w {
			return &consentChange{OptIn: true, Keyword: k}
		}
	}
	return nil
}

// consentRecord is a contact's last recorded choice.
type consentRecord struct {
	OptIn     bool      `json:"opt_in"`
	Keyword   string    `json:"keyword"`
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

const consentPrefix = "consent:"

// consents keeps each contact's opt-in or opt-out in the channel's durable
// state, keyed by E.164 number.
type consents struct{ state core.ChannelState }

// get returns phone's record, or ok false when none was recorded. A state
// failure is returned: nobody is taken as opted in because the state could
// not be read.
func (c consents) get(ctx context.Context, phone string) (consentRecord, bool, error) {
	b, err := c.state.Get(ctx, consentPrefix+phone)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return consentRecord{}, false, nil
	}
	if err != nil {
		return consentRecord{}, false, fmt.Errorf("read consent of %s: %w", phone, err)
	}
	var rec consentRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return consentRecord{Keyword: "STOP"}, true, nil // unreadable: refuse rather than send
	}
	return rec, true, nil
}

// put records a choice; it returns once the record is committed.
func (c consents) put(ctx context.Context, phone string, rec consentRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode consent: %w", err)
	}
	if err := c.state.Put(ctx, consentPrefix+phone, b); err != nil {
		return fmt.Errorf("record consent of %s: %w", phone, err)
	}
	return nil
}

// require refuses, with the reason for the operator, a proactive message to
// phone without a recorded opt-in.
func (c consents) require(ctx context.Context, channel, phone string) error {
	rec, ok, err := c.get(ctx, phone)
	if err != nil {
		return err
	}
	refuse := func(reason string) error {
		return &core.CapabilityError{Channel: channel, Capability: "consent", Reason: reason}
	}
	who := phone
	if who == "" {
		who = "The contact"
	}
	switch {
	case !ok:
		return refuse(fmt.Sprintf("%s has not opted in to WhatsApp messages from this business; a template outside the 24-hour window needs a recorded opt-in (the contact sends START)", who))
	case !rec.OptIn:
		return refuse(fmt.Sprintf("%s opted out of WhatsApp messages (sent %s on %s); they must send START before a template can reach them", who, rec.Keyword, rec.At.UTC().Format("2006-01-02")))
	}
	return nil
}
