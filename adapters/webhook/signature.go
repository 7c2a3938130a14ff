package webhook

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/standardwebhooks"
)

// Standard Webhooks header names.
const (
	HeaderID        = standardwebhooks.HeaderID
	HeaderTimestamp = standardwebhooks.HeaderTimestamp
	HeaderSignature = standardwebhooks.HeaderSignature
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock before a request is refused as a replay.
const DefaultTolerance = standardwebhooks.DefaultTolerance

// Verifier checks the Standard Webhooks signature of received requests.
type Verifier = standardwebhooks.Verifier

// The refusals of Verifier.Verify.
type (
	MissingHeaderError = standardwebhooks.MissingHeaderError
	SignatureError     = standardwebhooks.SignatureError
	TimestampError     = standardwebhooks.TimestampError
)

// ParseSecret decodes a Standard Webhooks secret, "whsec_" followed by the
// base64 of the HMAC key, into the key bytes.
func ParseSecret(secret string) ([]byte, error) { return standardwebhooks.ParseSecret(secret) }

// Sign returns the webhook-signature value for one message.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	return standardwebhooks.Sign(key, id, ts, body)
}

// SignHeader sets the three Standard Webhooks headers on h for body.
// Sending the same message again must reuse its id so that receivers can
// drop the duplicate.
func SignHeader(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	standardwebhooks.SignHeader(h, key, id, ts, body)
}

// clip shortens s to at most n bytes for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
