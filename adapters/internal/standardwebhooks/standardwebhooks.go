// Package standardwebhooks signs and verifies HTTP requests the Standard
// Webhooks way (https://www.standardwebhooks.com, v1 signatures): the
// webhook-id, webhook-timestamp and webhook-signature headers, an
// HMAC-SHA256 over "id.timestamp.body" under a "whsec_" secret, and a
// timestamp tolerance against replays. The custom webhook channel, event
// webhooks and the SMS channel's generic driver all speak it.
package standardwebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Standard Webhooks header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock, in either direction, before a request is refused as a replay.
const DefaultTolerance = 5 * time.Minute

const (
	secretPrefix = "whsec_"
	// minKeyLen follows the spec's advice of 24 to 64 random bytes; shorter
	// keys are refused, longer ones accepted.
	minKeyLen = 24
)

// ParseSecret decodes a Standard Webhooks secret, "whsec_" followed by the
// base64 of the HMAC key, into the key bytes. Padding is optional.
func ParseSecret(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(secret), secretPrefix)
	if !ok {
		return nil, errors.New(`secret must start with "whsec_"`)
	}
	key, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	if err != nil {
		return nil, fmt.Errorf("secret is not whsec_<base64>: %w", err)
	}
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("secret key is %d bytes; use at least %d random bytes", len(key), minKeyLen)
	}
	return key, nil
}

// Sign returns the webhook-signature value for one message: "v1," and the
// base64 HMAC-SHA256, under key, of id + "." + timestamp + "." + body, where
// timestamp is ts in unix seconds.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	return SignRaw(key, id, strconv.FormatInt(ts.Unix(), 10), body)
}

// SignRaw is Sign over the webhook-timestamp header value exactly as given.
func SignRaw(key []byte, id, timestamp string, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp, body))
}

// SignHeader sets the three Standard Webhooks headers on h for body. Sending
// the same message again must reuse its id so that receivers can drop the
// duplicate.
func SignHeader(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(key, id, ts, body))
}

func mac(key []byte, id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verifier checks the Standard Webhooks signature of received requests. The
// zero Tolerance means DefaultTolerance; a nil Now means time.Now.
type Verifier struct {
	Key       []byte
	Tolerance time.Duration
	Now       func() time.Time
}

// Verify checks the headers of a request against its body. The signature
// header may hold several space-separated signatures (during a secret
// rotation); one matching v1 signature is enough, and signatures of other
// versions are ignored. Signatures are compared in constant time.
//
// The error is a *MissingHeaderError, a *SignatureError (malformed headers
// included) or, for an authentic request whose timestamp is too far from
// the clock, a *TimestampError. The signature is checked before the
// timestamp, so a TimestampError always means a replay or a skewed clock.
func (v Verifier) Verify(h http.Header, body []byte) error {
	if len(v.Key) == 0 {
		return &SignatureError{Reason: "the receiver has no key configured"}
	}
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	for _, hv := range [...]struct{ name, value string }{
		{HeaderID, id}, {HeaderTimestamp, ts}, {HeaderSignature, sigs},
	} {
		if hv.value == "" {
			return &MissingHeaderError{Header: hv.name}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &SignatureError{Reason: fmt.Sprintf("%s %q is not unix seconds", HeaderTimestamp, clip(ts, 40))}
	}
	want := mac(v.Key, id, ts, body)
	versions := 0
	for _, s := range strings.Fields(sigs) {
		ver, b64, ok := strings.Cut(s, ",")
		if !ok || ver != "v1" {
			continue
		}
		versions++
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return v.checkTime(time.Unix(sec, 0))
		}
	}
	if versions == 0 {
		return &SignatureError{Reason: fmt.Sprintf("%s holds no v1 signature", HeaderSignature)}
	}
	return &SignatureError{Reason: "no signature matches the body; check the secret"}
}

func (v Verifier) checkTime(ts time.Time) error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if d := now.Sub(ts); d > tol || d < -tol {
		return &TimestampError{Timestamp: ts, Now: now, Tolerance: tol}
	}
	return nil
}

// MissingHeaderError reports a request without one of the Standard Webhooks
// headers.
type MissingHeaderError struct{ Header string }

func (e *MissingHeaderError) Error() string { return "missing " + e.Header + " header" }

// ErrorCode is core.CodeUnauthenticated.
func (e *MissingHeaderError) ErrorCode() core.Code { return core.CodeUnauthenticated }

// SignatureError reports a signature that does not match, or headers too
// malformed to check.
type SignatureError struct{ Reason string }

func (e *SignatureError) Error() string { return "bad signature: " + e.Reason }

// ErrorCode is core.CodeUnauthenticated.
func (e *SignatureError) ErrorCode() core.Code { return core.CodeUnauthenticated }

// TimestampError reports a correctly signed request whose timestamp lies
// outside the tolerance: a replay, or a sender with a skewed clock.
type TimestampError struct {
	Timestamp time.Time
	Now       time.Time
	Tolerance time.Duration
}

func (e *TimestampError) Error() string {
	d, dir := e.Now.Sub(e.Timestamp), "behind"
	if d < 0 {
		d, dir = -d, "ahead of"
	}
	return fmt.Sprintf("stale timestamp: %s is %s %s the server clock (tolerance %s)",
		HeaderTimestamp, d.Round(time.Second), dir, e.Tolerance)
}

// ErrorCode is core.CodeUnauthenticated.
func (e *TimestampError) ErrorCode() core.Code { return core.CodeUnauthenticated }

// clip shortens s to at most n bytes for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
