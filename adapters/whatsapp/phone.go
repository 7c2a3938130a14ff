package whatsapp

import "strings"

// e164 turns a WhatsApp id ("12065550131", the digits of a number with its
// country code) into E.164 ("+12065550131"). It reports false for anything
// that is not 7 to 15 digits, the lengths E.164 allows.
func e164(waID string) (string, bool) {
	digits := strings.TrimPrefix(waID, "+")
	if len(digits) < 7 || len(digits) > 15 || digits[0] == '0' || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return "+" + digits, true
}

// waID is the inverse of e164: the digits WhatsApp addresses a number by.
func waID(phone string) (string, bool) {
	p, ok := e164(phone)
	if !ok {
		return "", false
	}
	return p[1:], true
}
