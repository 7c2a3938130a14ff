package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTwilioSignature_sorts_parameters_by_name_then_value(t *testing.T) {
	const u = "https://hub.example.com/sms/twilio/inbound"
	params := url.Values{"To": {"+16465550100"}, "Body": {"b", "a"}, "From": {"+14155550123"}}
	m := hmac.New(sha1.New, []byte(testToken))
	m.Write([]byte(u + "Bodya" + "Bodyb" + "From+14155550123" + "To+16465550100"))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := TwilioSignature(testToken, u, params); got != want {
		t.Errorf("TwilioSignature = %s, want %s", got, want)
	}
}

func TestValidTwilioSignature_accepts_only_the_exact_URL_params_and_token(t *testing.T) {
	const u = "https://hub.example.com/sms/twilio/inbound"
	params := url.Values{"MessageSid": {"SM1"}, "Body": {"Hi"}, "From": {"+14155550123"}}
	good := TwilioSignature(testToken, u, params)
	tampered := url.Values{"MessageSid": {"SM1"}, "Body": {"Hi!"}, "From": {"+14155550123"}}
	extra := url.Values{"MessageSid": {"SM1"}, "Body": {"Hi"}, "From": {"+14155550123"}, "X": {""}}
	tests := []struct {
		name, url, token, header string
		params                   url.Values
		want                     bool
	}{
		{"valid", u, testToken, good, params, true},
		{"surrounding spaces ignored", u, testToken, " " + good + " ", params, true},
		{"signed with the default port written out", "https://hub.example.com:443/sms/twilio/inbound", testToken, good, params, true},
		{"another token", u, "0000", good, params, false},
		{"another URL", "https://hub.example.com/sms/twilio/status", testToken, good, params, false},
		{"another port", "https://hub.example.com:8443/sms/twilio/inbound", testToken, good, params, false},
		{"http instead of https", "http://hub.example.com/sms/twilio/inbound", testToken, good, params, false},
		{"a changed value", u, testToken, good, tampered, false},
		{"an added parameter", u, testToken, good, extra, false},
		{"not base64", u, testToken, "%%%", params, false},
		{"truncated", u, testToken, good[:20], params, false},
		{"empty", u, testToken, "", params, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validTwilioSignature([]byte(tt.token), tt.url, tt.params, tt.header); got != tt.want {
				t.Errorf("valid = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifyStandard_refuses_missing_wrong_and_stale_signatures(t *testing.T) {
	key, err := parseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"gw-1"}`)
	signed := func(id string, at time.Time, b []byte) http.Header {
		h := http.Header{}
		signHeader(h, key, id, at, b)
		return h
	}
	several := signed("m1", testNow, body)
	several.Set(HeaderWebhookSignature, "v1,Zm9v v2,abc "+several.Get(HeaderWebhookSignature))
	tests := []struct {
		name    string
		header  http.Header
		status  int // 0: accepted
		because string
	}{
		{"valid", signed("m1", testNow, body), 0, ""},
		{"one of several signatures matches", several, 0, ""},
		{"within the tolerance", signed("m1", testNow.Add(-4*time.Minute), body), 0, ""},
		{"no headers", http.Header{}, http.StatusUnauthorized, "missing"},
		{"signed for another body", signed("m1", testNow, []byte(`{"id":"gw-2"}`)), http.StatusForbidden, "matches"},
		{"too old: a replay", signed("m1", testNow.Add(-6*time.Minute), body), http.StatusForbidden, "the server clock"},
		{"from the future", signed("m1", testNow.Add(6*time.Minute), body), http.StatusForbidden, "the server clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyStandard(key, tt.header, body, testNow)
			var ae *authError
			switch {
			case tt.status == 0 && err != nil:
				t.Fatalf("verifyStandard = %v, want accepted", err)
			case tt.status != 0 && !errors.As(err, &ae):
				t.Fatalf("verifyStandard = %v, want an authError", err)
			case tt.status != 0 && (ae.status() != tt.status || !strings.Contains(err.Error(), tt.because)):
				t.Fatalf("got %d %q, want %d mentioning %q", ae.status(), err, tt.status, tt.because)
			}
		})
	}
}

func TestParseSecret_wants_whsec_and_a_long_enough_base64_key(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "whsec_c2hvcnQ="} {
		if _, err := parseSecret(s); err == nil {
			t.Errorf("parseSecret(%q) accepted", s)
		}
	}
	if _, err := parseSecret(testSecret); err != nil {
		t.Errorf("parseSecret(the spec's example) = %v", err)
	}
}
