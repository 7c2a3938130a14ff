package sms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// genericMessage is the body of POST <path>/inbound for the generic driver.
type genericMessage struct {
	ID         string         `json:"id"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Text       string         `json:"text"`
	Media      []genericMedia `json:"media"`
	SentAt     string         `json:"sent_at"`
	OptOutType string         `json:"opt_out_type"`
}

type genericMedia struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
}

// genericStatus is the body of POST <path>/status for the generic driver.
type genericStatus struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	ErrorCode    flexString `json:"error_code"`
	ErrorMessage string     `json:"error_message"`
}

// flexString takes a JSON string or number: gateways write error codes
// either way.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("must be a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// parseGenericMessage reads an inbound message of the generic contract. It
// is pure; unknown fields are refused, naming the field.
func parseGenericMessage(body []byte, region string) (inboundSMS, error) {
	var w genericMessage
	if err := decodeStrict(body, &w); err != nil {
		return inboundSMS{}, err
	}
	if err := checkID("id", strings.TrimSpace(w.ID)); err != nil {
		return inboundSMS{}, err
	}
	m := inboundSMS{ID: strings.TrimSpace(w.ID), Text: w.Text, To: strings.TrimSpace(w.To)}
	if err := setSender(&m, w.From, "from", region); err != nil {
		return inboundSMS{}, err
	}
	if len(w.Text) > core.MaxTextLen {
		return inboundSMS{}, malformed(fmt.Sprintf("text is %d bytes; the limit is %d", len(w.Text), core.MaxTextLen))
	}
	if len(w.Media) > maxMedia {
		return inboundSMS{}, malformed(fmt.Sprintf("%d media; the limit is %d", len(w.Media), maxMedia))
	}
	for i, md := range w.Media {
		ref, err := parseMediaRef(md.URL, md.ContentType)
		if err != nil {
			return inboundSMS{}, malformed(fmt.Sprintf("media[%d].url: %s", i, err.Error()))
		}
		m.Media = append(m.Media, ref)
	}
	if w.SentAt != "" {
		t, err := time.Parse(time.RFC3339Nano, w.SentAt)
		if err != nil {
			return inboundSMS{}, malformed(fmt.Sprintf("sent_at %q is not an RFC 3339 time", clip(w.SentAt, 40)))
		}
		m.SentAt = t.UTC()
	}
	switch t := strings.ToUpper(strings.TrimSpace(w.OptOutType)); t {
	case "", "STOP", "START", "HELP":
	default:
		return inboundSMS{}, malformed(fmt.Sprintf("opt_out_type %q is not STOP, START or HELP", clip(t, 20)))
	}
	m.Segments = Segments(m.Text).Segments
	m.Consent, m.Keyword = consentOf(m.Text, w.OptOutType)
	return m, nil
}

// parseGenericStatus reads a delivery report of the generic contract. It
// is pure.
func parseGenericStatus(body []byte) (statusReport, error) {
	var w genericStatus
	if err := decodeStrict(body, &w); err != nil {
		return statusReport{}, err
	}
	id := strings.TrimSpace(w.ID)
	if err := checkID("id", id); err != nil {
		return statusReport{}, err
	}
	status := strings.ToLower(strings.TrimSpace(w.Status))
	if _, known := statusKinds[status]; !known {
		return statusReport{}, malformed(fmt.Sprintf("status %q is not queued, sending, sent, delivered, read, undelivered or failed", clip(status, 40)))
	}
	return statusReport{
		ID: id, Status: status,
		ErrorCode: cleanText(string(w.ErrorCode), 20), ErrorMessage: cleanText(w.ErrorMessage, 300),
	}, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data, with errors fit to return to the gateway.
func decodeStrict(body []byte, v any) error {
	if !utf8.Valid(body) {
		return malformed("body is not valid UTF-8")
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return malformed("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return malformed(fmt.Sprintf("invalid JSON at byte %d", syn.Offset))
		case errors.As(err, &typ):
			return malformed(fmt.Sprintf("%s has the wrong type (%s)", typ.Field, typ.Value))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return malformed("truncated JSON")
		}
		return malformed("invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return malformed("unexpected data after the JSON object")
	}
	return nil
}
