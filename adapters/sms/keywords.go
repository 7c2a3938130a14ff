package sms

import (
	"slices"
	"strings"
)

// consent is what a contact's message says about receiving SMS.
type consent int

const (
	consentNone   consent = iota // an ordinary message
	consentOptOut                // STOP and friends: no more messages
	consentOptIn                 // START, UNSTOP: messages welcome again
)

func (c consent) String() string {
	switch c {
	case consentOptOut:
		return "opt_out"
	case consentOptIn:
		return "opt_in"
	}
	return "none"
}

// Keywords, matched against the whole trimmed text, case-insensitively
// (the lists Twilio and US carriers honour).
var (
	optOutKeywords = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
	optInKeywords  = []string{"START", "UNSTOP"}
)

// consentOf reads an opt-out or opt-in from a message: its whole trimmed
// text being a keyword, or the provider's OptOutType (STOP or START), which
// covers keywords configured at the provider. The keyword returned is
// the text upper-cased, or the OptOutType when the text is empty. A
// sentence that merely contains "stop" is an ordinary message, and so is
// OptOutType=HELP.
func consentOf(text, optOutType string) (consent, string) {
	word := strings.ToUpper(strings.TrimSpace(text))
	typ := strings.ToUpper(strings.TrimSpace(optOutType))
	keyword := word
	if keyword == "" {
		keyword = typ
	}
	switch {
	case typ == "STOP":
		return consentOptOut, keyword
	case typ == "START":
		return consentOptIn, keyword
	case slices.Contains(optOutKeywords, word):
		return consentOptOut, word
	case slices.Contains(optInKeywords, word):
		return consentOptIn, word
	}
	return consentNone, ""
}
