package webhook_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
)

// The Standard Webhooks specification's example: the signature covers the
// message id, the unix timestamp and the exact body bytes.
func ExampleSign() {
	key, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	sig := webhook.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// A receiver of Switchboard's replies and events checks each request the
// same way the hub checks what it receives.
func ExampleVerifier_Verify() {
	key, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	body := []byte(`{"test": 2432232314}`)
	sent := time.Unix(1614265330, 0)

	h := http.Header{}
	webhook.SignHeader(h, key, "msg_p5jXN8AQM9LWM0D4loKWxJek", sent, body)

	v := webhook.Verifier{Key: key, Now: func() time.Time { return sent.Add(time.Minute) }}
	fmt.Println(v.Verify(h, body))

	late := webhook.Verifier{Key: key, Now: func() time.Time { return sent.Add(time.Hour) }}
	fmt.Println(late.Verify(h, body))
	// Output:
	// <nil>
	// stale timestamp: webhook-timestamp is 1h0m0s behind the server clock (tolerance 5m0s)
}
