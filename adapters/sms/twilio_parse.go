package sms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIDLen bounds a provider message id, in characters.
const maxIDLen = 200

// parseTwilioMessage reads Twilio's incoming-message webhook parameters
// (MessageSid, From, To, Body, NumMedia, MediaUrlN, MediaContentTypeN,
// NumSegments, OptOutType). It is pure. region reads sender numbers
// without a country code.
func parseTwilioMessage(form url.Values, region string) (inboundSMS, error) {
	id := first(form, "MessageSid", "SmsMessageSid", "SmsSid")
	if err := checkID("MessageSid", id); err != nil {
		return inboundSMS{}, err
	}
	m := inboundSMS{ID: id, Text: form.Get("Body"), To: strings.TrimSpace(form.Get("To"))}
	if err := setSender(&m, form.Get("From"), "From", region); err != nil {
		return inboundSMS{}, err
	}
	if !utf8.ValidString(m.Text) {
		return inboundSMS{}, malformed("Body is not valid UTF-8")
	}
	n, err := count(form.Get("NumMedia"), "NumMedia", maxMedia)
	if err != nil {
		return inboundSMS{}, err
	}
	for i := range n {
		ref, err := parseMediaRef(form.Get(fmt.Sprintf("MediaUrl%d", i)), form.Get(fmt.Sprintf("MediaContentType%d", i)))
		if err != nil {
			return inboundSMS{}, malformed(fmt.Sprintf("MediaUrl%d: %s", i, err.Error()))
		}
		m.Media = append(m.Media, ref)
	}
	if m.ProviderSegments, err = count(form.Get("NumSegments"), "NumSegments", 1<<10); err != nil {
		return inboundSMS{}, err
	}
	m.Segments = Segments(m.Text).Segments
	m.Consent, m.Keyword = consentOf(m.Text, form.Get("OptOutType"))
	return m, nil
}

// parseTwilioStatus reads a status callback (MessageSid, MessageStatus,
// ErrorCode, ErrorMessage). It is pure.
func parseTwilioStatus(form url.Values) (statusReport, error) {
	id := first(form, "MessageSid", "SmsSid")
	if err := checkID("MessageSid", id); err != nil {
		return statusReport{}, err
	}
	status := strings.ToLower(strings.TrimSpace(first(form, "MessageStatus", "SmsStatus")))
	if status == "" {
		return statusReport{}, malformed("MessageStatus is required")
	}
	if len(status) > 32 || strings.IndexFunc(status, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' && r != '-' }) >= 0 {
		return statusReport{}, malformed(fmt.Sprintf("MessageStatus %q is not a status", clip(status, 40)))
	}
	code := strings.TrimSpace(form.Get("ErrorCode"))
	if code != "" {
		if _, err := strconv.Atoi(code); err != nil || len(code) > 10 {
			return statusReport{}, malformed(fmt.Sprintf("ErrorCode %q is not a number", clip(code, 20)))
		}
	}
	s := statusReport{ID: id, Status: status, ErrorCode: code, ErrorMessage: cleanText(form.Get("ErrorMessage"), 300)}
	if to, ok := normalisePhone(form.Get("To"), ""); ok {
		s.To = to
	}
	return s, nil
}

// setSender sets m's sender from a provider address: E.164 when it is a
// phone number.
func setSender(m *inboundSMS, from, field, region string) error {
	from = strings.TrimSpace(from)
	switch {
	case from == "":
		return malformed(field + " is required")
	case len(from) > maxAddressLen || !utf8.ValidString(from) || strings.IndexFunc(from, unicode.IsControl) >= 0:
		return malformed(fmt.Sprintf("%s %q is not an address", field, clip(from, 40)))
	}
	if e164, ok := normalisePhone(from, region); ok {
		m.From, m.Phone = e164, e164
		return nil
	}
	m.From = from
	return nil
}

func parseMediaRef(raw, contentType string) (mediaRef, error) {
	if raw == "" {
		return mediaRef{}, fmt.Errorf("missing")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return mediaRef{}, fmt.Errorf("%q is not an absolute http or https URL", clip(raw, 100))
	}
	return mediaRef{URL: u, ContentType: cleanText(contentType, 100)}, nil
}

// first returns the first non-empty value among the named parameters.
func first(form url.Values, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(form.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// count parses a small non-negative count; empty reads as 0.
func count(v, field string, max int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, malformed(fmt.Sprintf("%s %q is not a count from 0 to %d", field, clip(v, 20), max))
	}
	return n, nil
}

func checkID(field, v string) error {
	switch {
	case v == "":
		return malformed(field + " is required")
	case utf8.RuneCountInString(v) > maxIDLen || !utf8.ValidString(v):
		return malformed(fmt.Sprintf("%s is not an id of at most %d characters", field, maxIDLen))
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		return malformed(field + " contains spaces or control characters")
	}
	return nil
}

// cleanText keeps at most n bytes of valid UTF-8 without control
// characters, for provider strings shown to people.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return clip(strings.TrimSpace(s), n)
}

// clip shortens s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
