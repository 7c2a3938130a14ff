package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// HeaderTwilioSignature carries Twilio's request signature.
const HeaderTwilioSignature = "X-Twilio-Signature"

// TwilioSignature computes X-Twilio-Signature for a POST to rawURL with the
// given form parameters: base64(HMAC-SHA1(authToken, rawURL followed by
// name+value of every parameter, sorted by name, and the values of one
// name sorted too)). Values are the decoded ones.
func TwilioSignature(authToken, rawURL string, params url.Values) string {
	return base64.StdEncoding.EncodeToString(twilioMAC([]byte(authToken), rawURL, params))
}

func twilioMAC(key []byte, rawURL string, params url.Values) []byte {
	names := make([]string, 0, len(params))
	size := len(rawURL)
	for k, vs := range params {
		names = append(names, k)
		for _, v := range vs {
			size += len(k) + len(v)
		}
	}
	slices.Sort(names)
	// One buffer, one Write: converting each piece for Write would
	// allocate as much again.
	buf := make([]byte, 0, size)
	buf = append(buf, rawURL...)
	for _, k := range names {
		values := params[k]
		if len(values) > 1 {
			values = slices.Sorted(slices.Values(values))
		}
		for _, v := range values {
			buf = append(append(buf, k...), v...)
		}
	}
	m := hmac.New(sha1.New, key)
	m.Write(buf)
	return m.Sum(nil)
}

// validTwilioSignature reports whether header is the signature of a POST
// to rawURL with params, comparing MACs in constant time. Like Twilio's own
// validators it also accepts the URL with its default port written out or
// left off, since proxies differ in what they pass on.
func validTwilioSignature(key []byte, rawURL string, params url.Values, header string) bool {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil || len(got) != sha1.Size {
		return false
	}
	if hmac.Equal(got, twilioMAC(key, rawURL, params)) {
		return true
	}
	alt, ok := togglePort(rawURL)
	return ok && hmac.Equal(got, twilioMAC(key, alt, params))
}

// togglePort returns rawURL with its scheme's default port written out when
// absent, or left off when present; false when neither applies.
func togglePort(rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", false
	}
	port := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	switch {
	case port == "":
		return "", false
	case u.Port() == "":
		u.Host += ":" + port
	case u.Port() == port:
		u.Host = strings.TrimSuffix(u.Host, ":"+port)
	default:
		return "", false
	}
	return u.String(), true
}
