package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
	"github.com/switchboard-hq/switchboard/core"
)

// BenchmarkInbound measures signed messages of the custom webhook channel
// (one text each, from 1,000 contacts) through the real HTTP server to
// durable acknowledgement. The channel benchmarks (Telegram, Messenger,
// SMS) run it beside their own for the ratio; BenchmarkInboundBare is the
// same load on a handler that only reads the body.
//
//	go test ./cmd/switchboard -run '^$' -bench 'Inbound' -benchtime 20000x
func BenchmarkInbound(b *testing.B) {
	h := startBenchHub(b, hubYAML("http://127.0.0.1:1/unused", ""))
	benchmarkLatency(b, h.base+"/api/v1/channels/crm/messages", http.StatusAccepted, signWebhook())
}

// BenchmarkInboundBare drives the same signed requests at a bare net/http
// handler that reads the body and answers 202: the baseline.
func BenchmarkInboundBare(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	benchmarkLatency(b, srv.URL, http.StatusAccepted, signWebhook())
}

// signWebhook builds request i of a custom webhook channel benchmark: a
// signed message from one of 1,000 contacts.
func signWebhook() func(i int64, req *http.Request) []byte {
	key, _ := webhook.ParseSecret(testSecret)
	run := time.Now().UnixNano()
	return func(i int64, req *http.Request) []byte {
		body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d-%d", run, i), "contact": map[string]string{"id": fmt.Sprintf("c%d", i%1000)}, "text": "benchmark message"})
		webhook.SignHeader(req.Header, key, fmt.Sprintf("m%d", i), time.Now(), body)
		return body
	}
}

// benchmarkLatency POSTs b.N requests from 32 goroutines per CPU; sign
// builds request i's body and sets its headers (Content-Type defaults to
// JSON). It reports msgs/s and the p50 and p99 request latency in
// milliseconds.
func benchmarkLatency(b *testing.B, url string, want int, sign func(i int64, req *http.Request) []byte) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
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

// ackReceiver acknowledges everything without storing it: for measuring
// what a channel does before the hub.
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
