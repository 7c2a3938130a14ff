package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/messenger"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
)

// BenchmarkMessengerInbound measures signed Messenger webhook POSTs (one
// text message each, from 1,000 contacts) through the real HTTP server to
// durable acknowledgement, and in the same run the custom webhook channel's
// signed messages with the same driver, for the ratio. Each reports
// messages/s and the p50 and p99 latency of a request.
//
//	go test ./cmd/switchboard -run '^$' -bench 'MessengerInbound|MessengerVerifyAndParse' -benchtime 20000x
func BenchmarkMessengerInbound(b *testing.B) {
	b.Run("messenger", func(b *testing.B) {
		h := startBenchHub(b, messengerYAML("http://127.0.0.1:1/unused"))
		run := time.Now().UnixNano()
		benchmarkLatency(b, h.base+"/webhooks/messenger", http.StatusOK, func(i int64, req *http.Request) []byte {
			body := fbBenchBody(fmt.Sprintf("m_%d_%d", run, i), fmt.Sprintf("%d", 25531901230000000+i%1000))
			req.Header.Set(messenger.HeaderSignature, messenger.Sign(fbSecret, body))
			return body
		})
	})
	b.Run("webhook", BenchmarkInbound)
}

// BenchmarkMessengerVerifyAndParse measures what the Messenger webhook
// adds before the hub: reading the body, checking X-Hub-Signature-256 and
// parsing the events, with a hub that acknowledges at once.
func BenchmarkMessengerVerifyAndParse(b *testing.B) {
	blobs, err := blobfs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	a, err := messenger.New("messenger", messenger.Config{AppSecret: fbSecret, VerifyToken: "v", PageToken: "p"},
		messenger.Deps{Receiver: ackReceiver{}, Blobs: blobs, State: memState{}})
	if err != nil {
		b.Fatal(err)
	}
	handler := a.Handler()
	body := fbBenchBody("m_bench_1", "25531901234567001")
	sig := messenger.Sign(fbSecret, body)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/messenger", bytes.NewReader(body))
		req.Header.Set(messenger.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// fbBenchBody is a webhook body shaped like Meta's, one text message.
func fbBenchBody(mid, psid string) []byte {
	ts := time.Now().UnixMilli()
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"108432176609215","time":%d,"messaging":[{"sender":{"id":"%s"},`+
		`"recipient":{"id":"108432176609215"},"timestamp":%d,"message":{"mid":"%s","text":"benchmark message"}}]}]}`, ts, psid, ts, mid))
}
