package sms

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTwilioVerifyAndParse measures what the hub does to a Twilio
// webhook before any I/O: form decoding, the signature check and parsing
// (E.164 normalisation, keywords, segment count), on fixture 01. Compare
// with the per-message time of BenchmarkSMSInbound in cmd/switchboard.
func BenchmarkTwilioVerifyAndParse(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "01_sms_text.json"))
	if err != nil {
		b.Fatalf("the SMS fixtures are missing (%v): check out the shared fixtures so that %s exists", err, fixtureDir)
	}
	var req fixtureRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		b.Fatal(err)
	}
	const signedURL = "https://hub.example.com/sms/twilio/inbound"
	key, sig := []byte(testToken), req.Headers[HeaderTwilioSignature]
	b.ReportAllocs()
	for b.Loop() {
		form, err := url.ParseQuery(req.Body)
		if err != nil {
			b.Fatal(err)
		}
		if !validTwilioSignature(key, signedURL, form, sig) {
			b.Fatal("signature refused")
		}
		if _, err := parseTwilioMessage(form, ""); err != nil {
			b.Fatal(err)
		}
	}
}
