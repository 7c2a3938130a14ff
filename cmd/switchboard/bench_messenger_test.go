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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/messenger"
	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/core"
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
	b.Run("webhook", func(b *testing.B) {
		h := startBenchHub(b, hubYAML("http://127.0.0.1:1/unused", ""))
		key, _ := webhook.ParseSecret(testSecret)
		run := time.Now().UnixNano()
		benchmarkLatency(b, h.base+"/api/v1/channels/crm/messages", http.StatusAccepted, func(i int64, req *http.Request) []byte {
			body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d-%d", run, i), "contact": map[string]string{"id": fmt.Sprintf("c%d", i%1000)}, "text": "benchmark message"})
			webhook.SignHeader(req.Header, key, fmt.Sprintf("m%d", i), time.Now(), body)
			return body
		})
	})
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

// startBenchHub is startHub for a benchmark: the hub stops when the
// benchmark function returns, so that repeated runs (-count, the probe run
// with b.N = 1) do not leave hubs competing for the CPU.
func startBenchHub(b *testing.B, yamlText string) *hubUnderTest {
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

// fbBenchBody is a webhook body shaped like Meta's, one text message.
func fbBenchBody(mid, psid string) []byte {
	ts := time.Now().UnixMilli()
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"108432176609215","time":%d,"messaging":[{"sender":{"id":"%s"},`+
		`"recipient":{"id":"108432176609215"},"timestamp":%d,"message":{"mid":"%s","text":"benchmark message"}}]}]}`, ts, psid, ts, mid))
}

// benchmarkLatency POSTs b.N requests from 32 goroutines per CPU; sign
// builds request i's body and sets its headers. It reports msgs/s and the
// p50 and p99 request latency in milliseconds.
func benchmarkLatency(b *testing.B, url string, want int, sign func(i int64, req *http.Request) []byte) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		defer func() {
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
		for pb.Next() {
			i := n.Add(1)
			req, _ := http.NewRequest(http.MethodPost, url, nil)
			req.Header.Set("Content-Type", "application/json")
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
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100])/1e6, "p99-ms")
	}
}

// ackReceiver acknowledges everything without storing it.
type ackReceiver struct{}

func (ackReceiver) Receive(context.Context, core.Inbound) (core.Receipt, error) {
	return core.Receipt{}, nil
}

func (ackReceiver) ReceiveWatermark(context.Context, core.Watermark) (int, error) { return 0, nil }

// memState is an empty channel state; inbound messages never use it.
type memState struct{}

func (memState) Get(context.Context, string) ([]byte, error) { return nil, core.ErrNotFound }
func (memState) Put(context.Context, string, []byte) error   { return nil }
func (memState) Delete(context.Context, string) error        { return nil }
