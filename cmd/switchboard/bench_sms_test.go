package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/sms"
	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/core"
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
		h := smsBenchHub(b, smsYAML("http://127.0.0.1:1/unused"))
		run := time.Now().UnixNano()
		smsBenchPosts(b, h.base+"/sms/twilio/inbound", http.StatusOK, func(i int64, req *http.Request) []byte {
			form := smsBenchForm(fmt.Sprintf("SM%016x%016x", run, i), fmt.Sprintf("+1415555%04d", i%1000))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
			req.Header.Set(sms.HeaderTwilioSignature, sms.TwilioSignature(smsToken, smsPublic+"/inbound", form))
			return []byte(form.Encode())
		})
	})
	b.Run("webhook", func(b *testing.B) {
		h := smsBenchHub(b, hubYAML("http://127.0.0.1:1/unused", ""))
		key, _ := webhook.ParseSecret(testSecret)
		run := time.Now().UnixNano()
		smsBenchPosts(b, h.base+"/api/v1/channels/crm/messages", http.StatusAccepted, func(i int64, req *http.Request) []byte {
			body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d-%d", run, i), "contact": map[string]string{"id": fmt.Sprintf("c%d", i%1000)}, "text": "benchmark message"})
			req.Header.Set("Content-Type", "application/json")
			webhook.SignHeader(req.Header, key, fmt.Sprintf("m%d", i), time.Now(), body)
			return body
		})
	})
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
		sms.Deps{Receiver: smsAck{}, Blobs: blobs, State: smsNoState{}})
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

// smsBenchPosts posts b.N requests from 32 goroutines and reports
// messages/s and the p50 and p99 request latency.
func smsBenchPosts(b *testing.B, target string, want int, sign func(i int64, req *http.Request) []byte) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		defer func() { mu.Lock(); all = append(all, lat...); mu.Unlock() }()
		for pb.Next() {
			i := n.Add(1)
			req, _ := http.NewRequest(http.MethodPost, target, nil)
			body := sign(i, req)
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lat = append(lat, time.Since(start))
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if len(all) > 0 {
		slices.Sort(all)
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// smsBenchHub serves yamlText until the benchmark function returns.
func smsBenchHub(b *testing.B, yamlText string) *hubUnderTest {
	b.Helper()
	dir := b.TempDir()
	file := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(yamlText, "%DATA%", dir)), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := loadConfig(file, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("app stopped with %v", err)
		}
	})
	return &hubUnderTest{app: a, base: "http://" + a.listener.Addr().String()}
}

// smsAck acknowledges every inbound event at once.
type smsAck struct{}

func (smsAck) Receive(context.Context, core.Inbound) (core.Receipt, error) {
	return core.Receipt{MessageID: "msg_1"}, nil
}

// smsNoState is channel state that holds nothing.
type smsNoState struct{}

func (smsNoState) Get(context.Context, string) ([]byte, error) { return nil, core.ErrNotFound }
func (smsNoState) Put(context.Context, string, []byte) error   { return nil }
func (smsNoState) Delete(context.Context, string) error        { return nil }
