package sms

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/standardwebhooks"
)

// Standard Webhooks headers, used by the generic driver in both directions.
const (
	HeaderWebhookID        = standardwebhooks.HeaderID
	HeaderWebhookTimestamp = standardwebhooks.HeaderTimestamp
	HeaderWebhookSignature = standardwebhooks.HeaderSignature
)

// parseSecret decodes a Standard Webhooks secret, "whsec_" + base64 key.
func parseSecret(s string) ([]byte, error) { return standardwebhooks.ParseSecret(s) }

// signHeader sets the three Standard Webhooks headers on h.
func signHeader(h http.Header, key []byte, id string, now time.Time, body []byte) {
	standardwebhooks.SignHeader(h, key, id, now, body)
}

// authError is a request refused for its signature: missing (401) or
// wrong (403).
type authError struct {
	missing bool
	reason  string
}

func (e *authError) Error() string { return e.reason }

func (e *authError) status() int {
	if e.missing {
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// verifyStandard checks the Standard Webhooks headers of a request: one of
// the space-separated "v1," signatures must match (compared in constant
// time), and the timestamp must be within the tolerance of now. A missing
// header is an authError with missing set (401), anything else 403.
func verifyStandard(key []byte, h http.Header, body []byte, now time.Time) error {
	v := standardwebhooks.Verifier{Key: key, Now: func() time.Time { return now }}
	err := v.Verify(h, body)
	if err == nil {
		return nil
	}
	var missing *standardwebhooks.MissingHeaderError
	return &authError{missing: errors.As(err, &missing), reason: err.Error()}
}
