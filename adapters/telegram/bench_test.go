package telegram

import (
	"crypto/sha256"
	"net/http"
	"testing"
)

// BenchmarkWebhookCheckAndParse is the adapter's own work on a webhook
// request before the hub stores it: the secret token check, parsing the
// update and converting it (fixture 01, a text message). Compare with
// BenchmarkTelegramInbound in cmd/switchboard, the whole path to durable
// acknowledgement.
func BenchmarkWebhookCheckAndParse(b *testing.B) {
	_, reqs := loadFixtures(b)
	body := []byte(reqs[0].Body)
	a := &Adapter{secret: sha256.Sum256([]byte(testSecret))}
	h := http.Header{HeaderSecretToken: {testSecret}}
	b.ReportAllocs()
	for b.Loop() {
		if a.checkSecret(h) != 0 {
			b.Fatal("secret refused")
		}
		u, err := parseUpdate(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := convert(u); err != nil {
			b.Fatal(err)
		}
	}
}
