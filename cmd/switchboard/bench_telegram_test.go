package main

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkTelegramInbound measures Telegram webhook updates, carrying the
// secret token, through the real HTTP server to durable acknowledgement
// (200), from 1,000 contacts, and in the same run the custom webhook
// channel, for the ratio.
//
//	go test ./cmd/switchboard -run '^$' -bench 'TelegramInbound' -benchtime 20000x
func BenchmarkTelegramInbound(b *testing.B) {
	b.Run("telegram", func(b *testing.B) {
		bot := newFakeTelegram(b)
		defer bot.Close()
		h := startBenchHub(b, telegramYAML(bot.URL))
		run := int(time.Now().Unix() % 100000 * 10000)
		benchmarkLatency(b, h.base+"/webhooks/support", http.StatusOK, func(i int64, req *http.Request) []byte {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tgSecret)
			return []byte(tgUpdate(run+int(i), run+int(i), int64(710000000+i%1000), "benchmark message"))
		})
	})
	b.Run("webhook", BenchmarkInbound)
}
