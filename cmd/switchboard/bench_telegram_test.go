package main

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTelegramInbound measures Telegram webhook updates, carrying the
// secret token, through the real HTTP server to durable acknowledgement
// (200), from 1,000 contacts, as BenchmarkInbound does for the custom
// webhook channel; run both in one invocation to read the ratio. It
// reports messages/s and the 99th percentile latency.
func BenchmarkTelegramInbound(b *testing.B) {
	bot := newFakeTelegram(b)
	defer bot.Close()
	h := startHub(&testing.T{}, telegramYAML(bot.URL))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	run := int(time.Now().Unix() % 100000 * 10000)
	var n atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := int(n.Add(1))
			body := tgUpdate(run+i, run+i, int64(710000000+i%1000), "benchmark message")
			start := time.Now()
			if got := postUpdate(b, client, h.base, tgSecret, body); got != http.StatusOK {
				b.Errorf("status %d", got)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	}
}
