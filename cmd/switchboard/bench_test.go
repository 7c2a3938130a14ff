package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
)

// BenchmarkInbound measures signed inbound messages through the real HTTP
// server to durable acknowledgement, from 1,000 contacts. Compare with
// BenchmarkInboundBare, the same requests to a handler that only reads the
// body.
func BenchmarkInbound(b *testing.B) {
	h := startHub(&testing.T{}, hubYAML("http://127.0.0.1:1/unused", ""))
	benchmarkPosts(b, h.base+"/api/v1/channels/crm/messages")
}

func benchmarkPosts(b *testing.B, url string) {
	key, _ := webhook.ParseSecret(testSecret)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	run := time.Now().UnixNano()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d-%d", run, i), "contact": map[string]string{"id": fmt.Sprintf("c%d", i%1000)}, "text": "benchmark message"})
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			webhook.SignHeader(req.Header, key, fmt.Sprintf("m%d", i), time.Now(), body)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
