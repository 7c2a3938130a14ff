package messenger

import "testing"

// BenchmarkVerify and BenchmarkParseEvents split the webhook's own cost per
// request: the signature over the raw body, then the JSON. The body is
// fixture 10 (a batch of three events).
func BenchmarkVerify(b *testing.B) {
	req := loadRequest(b, "10_batch_entries.json")
	body, sig := []byte(req.Body), req.Headers[HeaderSignature]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(testSecret, sig, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEvents(b *testing.B) {
	body := []byte(loadRequest(b, "10_batch_entries.json").Body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := parseEvents(testChannel, body); err != nil || len(evs) != 3 {
			b.Fatalf("parseEvents = %d events, %v", len(evs), err)
		}
	}
}
