package sms

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxAddressLen bounds a sender or recipient address as given by a
// provider: E.164 numbers have at most 16 characters, alphanumeric sender
// ids 11, and short codes fewer.
const maxAddressLen = 64

// normalisePhone returns s as an E.164 number ("+14155550123") and true,
// or s trimmed and false when s is no possible phone number (a short code,
// an alphanumeric sender id). region reads numbers without a country code;
// empty refuses them. A number the provider already wrote in E.164 is kept
// as written, even where phonenumbers would rewrite its digits (a trunk
// prefix or an old national format): replies go to the number the provider
// knows.
func normalisePhone(s, region string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxAddressLen {
		return s, false
	}
	if n, ok := canonicalE164(s); ok && phonenumbers.IsPossibleNumber(n) {
		return s, true
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return s, false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// canonicalE164 reads s when it is already written in E.164 ("+" and the
// digits of a known country code and a national number without a leading
// zero), as providers send numbers, without the general parser and its
// regular expressions (most of the cost of parsing a webhook). Anything
// else, and any number it deems impossible (which the parser may yet read,
// dropping a trunk prefix), is left to phonenumbers.Parse.
func canonicalE164(s string) (*phonenumbers.PhoneNumber, bool) {
	if len(s) < 4 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return nil, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
	}
	// Country calling codes are prefix-free: at most one length fits.
	for l := 1; l <= 3 && 1+l < len(s); l++ {
		cc, _ := strconv.Atoi(s[1 : 1+l])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		national := s[1+l:]
		if national[0] == '0' { // an Italian-style leading zero: let Parse keep it
			return nil, false
		}
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return nil, false
		}
		cc32 := int32(cc)
		return &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}, true
	}
	return nil, false
}
