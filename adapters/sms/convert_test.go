package sms

import (
	"reflect"
	"testing"
)

// TestFixtures_parse_to_what_each_case_expects table-tests the pure side:
// the signature check and parseTwilioMessage, against every case.
func TestFixtures_parse_to_what_each_case_expects(t *testing.T) {
	cases := loadCases(t)
	parsed := map[string]inboundSMS{}
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			e := c.Expect
			form := c.form(t)
			signed := validTwilioSignature([]byte(c.Secret), c.URL, form, c.Request.Headers[HeaderTwilioSignature])
			outcome := e.str(t, "outcome")
			if rejected := outcome == "rejected"; signed == rejected {
				t.Fatalf("signature valid = %v, want %v (outcome %s)", signed, !rejected, outcome)
			}
			if outcome == "rejected" {
				return
			}
			m, err := parseTwilioMessage(form, "")
			if err != nil {
				t.Fatalf("parseTwilioMessage: %v", err)
			}
			parsed[c.File] = m
			checkParsed(t, e, m)
			if e.has("duplicate_of") {
				orig, ok := parsed[e.str(t, "duplicate_of")]
				if !ok {
					t.Fatalf("duplicate_of %s: no earlier parsed case", e.str(t, "duplicate_of"))
				}
				if !reflect.DeepEqual(m, orig) {
					t.Errorf("duplicate parses as %+v, want the original %+v", m, orig)
				}
			}
		})
	}
}

// checkParsed asserts the expectation keys a parsed message can answer.
func checkParsed(t *testing.T, e expectation, m inboundSMS) {
	t.Helper()
	if e.has("external_message_id") {
		if got, want := m.ID, e.str(t, "external_message_id"); got != want {
			t.Errorf("id = %q, want %q", got, want)
		}
	}
	if e.has("contact") {
		var c struct {
			ExternalID *string `json:"external_id"`
			PhoneE164  *string `json:"phone_e164"`
		}
		e.get(t, "contact", &c)
		if c.ExternalID != nil && m.From != *c.ExternalID {
			t.Errorf("contact id = %q, want %q", m.From, *c.ExternalID)
		}
		if c.PhoneE164 != nil && m.Phone != *c.PhoneE164 {
			t.Errorf("phone = %q, want %q", m.Phone, *c.PhoneE164)
		}
	}
	raw := "text"
	if e.has("raw_text") {
		raw = "raw_text" // the parser keeps what the contact wrote; the hub masks
	}
	if e.has(raw) && e.str(t, "outcome") == "message" {
		if got, want := m.Text, e.str(t, raw); got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
	}
	if e.has("attachments") {
		var want []expectedAttachment
		e.get(t, "attachments", &want)
		if len(m.Media) != len(want) {
			t.Fatalf("%d media, want %d", len(m.Media), len(want))
		}
		for i, w := range want {
			got := m.Media[i]
			if w.Type != nil && got.Kind() != *w.Type {
				t.Errorf("media[%d] type = %q, want %q", i, got.Kind(), *w.Type)
			}
			if w.MIMEType != nil && got.ContentType != *w.MIMEType {
				t.Errorf("media[%d] type = %q, want %q", i, got.ContentType, *w.MIMEType)
			}
			if w.Ref != nil && got.URL.String() != *w.Ref {
				t.Errorf("media[%d] url = %q, want %q", i, got.URL, *w.Ref)
			}
			if w.Flagged != nil && DefaultCapabilities().Accepts(got.ContentType) == *w.Flagged {
				t.Errorf("media[%d] %s: accepted = %v, want flagged %v", i, got.ContentType, !*w.Flagged, *w.Flagged)
			}
		}
	}
	if e.has("segments") {
		var want int
		e.get(t, "segments", &want)
		if m.Segments != want || m.ProviderSegments != want {
			t.Errorf("segments = %d counted, %d by Twilio, want %d", m.Segments, m.ProviderSegments, want)
		}
	}
	wantConsent := consentNone.String()
	var ev struct{ Type, Keyword string }
	if e.has("event") {
		e.get(t, "event", &ev)
		wantConsent = ev.Type
	}
	if m.Consent.String() != wantConsent {
		t.Errorf("consent = %s, want %s", m.Consent, wantConsent)
	}
	if ev.Keyword != "" && m.Keyword != ev.Keyword {
		t.Errorf("keyword = %q, want %q", m.Keyword, ev.Keyword)
	}
}
