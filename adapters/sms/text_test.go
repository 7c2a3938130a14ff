package sms

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestSegments_count_gsm7_and_ucs2_parts_without_splitting_a_character(t *testing.T) {
	a, zh := strings.Repeat, "ж"
	tests := []struct {
		name, text string
		want       Segmentation
	}{
		{"empty", "", Segmentation{EncodingGSM7, 0, 0}},
		{"short GSM", "Hello", Segmentation{EncodingGSM7, 5, 1}},
		{"160 GSM septets fit one SMS", a("a", 160), Segmentation{EncodingGSM7, 160, 1}},
		{"161 septets need two parts of 153", a("a", 161), Segmentation{EncodingGSM7, 161, 2}},
		{"306 septets fill two parts", a("a", 306), Segmentation{EncodingGSM7, 306, 2}},
		{"307 septets need a third", a("a", 307), Segmentation{EncodingGSM7, 307, 3}},
		{"extension characters take two septets", "^{}", Segmentation{EncodingGSM7, 6, 1}},
		{"80 euro signs are 160 septets", a("€", 80), Segmentation{EncodingGSM7, 160, 1}},
		{"81 euro signs are 162 septets", a("€", 81), Segmentation{EncodingGSM7, 162, 2}},
		{"an escape pair is never split", a("a", 152) + "€" + a("a", 152), Segmentation{EncodingGSM7, 306, 3}},
		{"capital C cedilla is GSM", "Ça va", Segmentation{EncodingGSM7, 5, 1}},
		{"small c cedilla is not", "ça va", Segmentation{EncodingUCS2, 5, 1}},
		{"70 UCS-2 units fit one SMS", a(zh, 70), Segmentation{EncodingUCS2, 70, 1}},
		{"71 units need two parts of 67", a(zh, 71), Segmentation{EncodingUCS2, 71, 2}},
		{"134 units fill two parts", a(zh, 134), Segmentation{EncodingUCS2, 134, 2}},
		{"135 units need a third", a(zh, 135), Segmentation{EncodingUCS2, 135, 3}},
		{"an emoji is a surrogate pair", "😊", Segmentation{EncodingUCS2, 2, 1}},
		{"a surrogate pair is never split", a(zh, 66) + "😊" + a(zh, 66), Segmentation{EncodingUCS2, 134, 3}},
		{"fixture 06", "Merci beaucoup ! 😊 Le sac est parfait — à bientôt 🙌", Segmentation{EncodingUCS2, 53, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Segments(tt.text); got != tt.want {
				t.Errorf("Segments = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestConsentOf_reads_whole_message_keywords_and_OptOutType(t *testing.T) {
	tests := []struct {
		text, optOutType string
		want             consent
		keyword          string
	}{
		{"STOP", "", consentOptOut, "STOP"},
		{"  stop \n", "", consentOptOut, "STOP"},
		{"Stop", "STOP", consentOptOut, "STOP"},
		{"stopall", "", consentOptOut, "STOPALL"},
		{"Unsubscribe", "", consentOptOut, "UNSUBSCRIBE"},
		{"cancel", "", consentOptOut, "CANCEL"},
		{"END", "", consentOptOut, "END"},
		{"quit", "", consentOptOut, "QUIT"},
		{"revoke", "", consentOptOut, "REVOKE"},
		{"optout", "", consentOptOut, "OPTOUT"},
		{"start", "", consentOptIn, "START"},
		{"Unstop", "", consentOptIn, "UNSTOP"},
		{"ARRET", "STOP", consentOptOut, "ARRET"}, // a keyword configured at Twilio
		{"", "START", consentOptIn, "START"},
		{"Please stop sending me these", "", consentNone, ""},
		{"stop.", "", consentNone, ""},
		{"STOP IT", "", consentNone, ""},
		{"help", "HELP", consentNone, ""},
		{"", "", consentNone, ""},
	}
	for _, tt := range tests {
		got, kw := consentOf(tt.text, tt.optOutType)
		if got != tt.want || kw != tt.keyword {
			t.Errorf("consentOf(%q, %q) = %s %q, want %s %q", tt.text, tt.optOutType, got, kw, tt.want, tt.keyword)
		}
	}
}

func TestNormalisePhone_gives_E164_or_keeps_what_is_no_phone_number(t *testing.T) {
	tests := []struct {
		in, region, want string
		ok               bool
	}{
		{"+14155550123", "", "+14155550123", true},
		{" +1 (415) 555-0123 ", "", "+14155550123", true},
		{"4155550123", "", "4155550123", false},
		{"4155550123", "US", "+14155550123", true},
		{"0151 12345678", "DE", "+4915112345678", true},
		{"+4915112345678", "US", "+4915112345678", true},
		{"12345", "", "12345", false}, // a short code
		{"ACME", "", "ACME", false},   // an alphanumeric sender id
		{"+999", "", "+999", false},
		{"+2612000000", "", "+2612000000", true}, // E.164 kept as written (Parse would make it +261202000000)
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, ok := normalisePhone(tt.in, tt.region)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalisePhone(%q, %q) = %q %v, want %q %v", tt.in, tt.region, got, ok, tt.want, tt.ok)
		}
	}
}

// slowNormalise is normalisePhone without the E.164 fast path.
func slowNormalise(s string) (string, bool) {
	n, err := phonenumbers.Parse(s, "")
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return s, false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// TestCanonicalE164_agrees_with_the_general_parser: the fast path for
// numbers already in E.164 accepts what phonenumbers.Parse accepts, and
// keeps the number as written.
func TestCanonicalE164_agrees_with_the_general_parser(t *testing.T) {
	for _, s := range []string{
		"+14155550123", "+16465550100", "+13125550178", "+12025550143", "+4915112345678", "+447700900123",
		"+33612345678", "+390612345678", "+80012345678", "+8613800138000", "+1415555", "+123", "+99912345",
		"+2125550123", "+35312345678", "+1415555012345678",
	} {
		fast, fok := normalisePhone(s, "")
		slow, sok := slowNormalise(s)
		if fok != sok || (fok && fast != s) || (!fok && fast != slow) {
			t.Errorf("%s: fast path %q %v, parser %q %v", s, fast, fok, slow, sok)
		}
	}
}

func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"+14155550123", "+4915112345678", "+390612345678", "+80012345678", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.TrimSpace(s)
		n, ok := canonicalE164(s)
		if !ok {
			return
		}
		fast, fok := normalisePhone(s, "")
		slow, sok := slowNormalise(s)
		if phonenumbers.IsPossibleNumber(n) {
			if !fok || fast != s || !sok {
				t.Fatalf("%q: fast path %q %v, parser %q %v; want the number as written, possible for both", s, fast, fok, slow, sok)
			}
		} else if fast != slow || fok != sok {
			t.Fatalf("%q: %q %v, want the parser's %q %v", s, fast, fok, slow, sok)
		}
	})
}
