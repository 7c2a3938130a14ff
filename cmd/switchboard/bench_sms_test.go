package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/sms"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
)

// BenchmarkSMSInbound measures signed Twilio webhooks (one SMS each, from
// 1,000 numbers) through the real HTTP server to durable acknowledgement,
// and in the same run the custom webhook channel's signed messages sent
// the same way, for the ratio. Each reports messages/s and the p50 and p99
// latency of a request, with 32 concurrent senders over loopback.
//
//	go test ./cmd/switchboard -run '^$' -bench 'SMSInbound|SMSVerifyAndParse' -benchtime 20000x
func BenchmarkSMSInbound(b *testing.B) {
	b.Run("sms", func(b *testing.B) {
		h := startBenchHub(b, smsYAML("http://127.0.0.1:1/unused"))
		run := time.Now().UnixNano()
		benchmarkLatency(b, h.base+"/sms/twilio/inbound", http.StatusOK, func(i int64, req *http.Request) []byte {
			form := smsBenchForm(fmt.Sprintf("SM%016x%016x", run, i), fmt.Sprintf("+1415555%04d", i%1000))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
			req.Header.Set(sms.HeaderTwilioSignature, sms.TwilioSignature(smsToken, smsPublic+"/inbound", form))
			return []byte(form.Encode())
		})
	})
	b.Run("webhook", BenchmarkInbound)
}

// BenchmarkSMSVerifyAndParse measures what the SMS channel adds before the
// hub: its HTTP handler reading the body, checking X-Twilio-Signature and
// parsing, with a receiver that acknowledges at once.
func BenchmarkSMSVerifyAndParse(b *testing.B) {
	blobs, err := blobfs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	a, err := sms.New("sms", sms.Config{AccountSID: smsAccount, AuthToken: smsToken, MessagingServiceSID: smsService, PublicURL: smsPublic, Path: "/sms/twilio"},
		sms.Deps{Receiver: ackReceiver{}, Blobs: blobs, State: memState{}})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range a.Routes() {
		mux.Handle(p, h)
	}
	form := smsBenchForm("SMc69049cdc0de2d23e2766135d8f5cc5a", smsCustomer)
	body, sig := form.Encode(), sms.TwilioSignature(smsToken, smsPublic+"/inbound", form)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/sms/twilio/inbound", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		req.Header.Set(sms.HeaderTwilioSignature, sig)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// smsBenchForm is an incoming-message webhook as Twilio sends it.
func smsBenchForm(sid, from string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"NY"}, "SmsMessageSid": {sid}, "NumMedia": {"0"}, "ToCity": {"NEW YORK"},
		"FromZip": {"94107"}, "SmsSid": {sid}, "FromState": {"CA"}, "SmsStatus": {"received"}, "FromCity": {"SAN FRANCISCO"},
		"Body": {"Hi, is my order 58213 ready for pickup at the Mission St store?"}, "FromCountry": {"US"}, "To": {smsHubNumber},
		"MessagingServiceSid": {smsService}, "ToZip": {"10001"}, "NumSegments": {"1"}, "MessageSid": {sid},
		"AccountSid": {smsAccount}, "From": {from}, "ApiVersion": {"2010-04-01"},
	}
}
