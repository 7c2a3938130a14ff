package sms

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
)

// Standard Webhooks headers, used by the generic driver in both directions.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// signatureTolerance is how far a signed timestamp may be from the hub's
// clock: it stops replays of captured requests.
const signatureTolerance = 5 * time.Minute

// parseSecret decodes a Standard Webhooks secret, "whsec_" + base64 key.
func parseSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), "whsec_")
	if !ok {
		return nil, errors.New("must start with whsec_")
	}
	key, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	if err != nil {
		return nil, errors.New("the part after whsec_ is not standard base64")
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("the key is %d bytes; use at least 16", len(key))
	}
	return key, nil
}

// standardSignature returns the webhook-signature value for body sent with
// the given id and timestamp: "v1," + base64(HMAC-SHA256(key,
// id.timestamp.body)).
func standardSignature(key []byte, id string, ts int64, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(standardMAC(key, id, strconv.FormatInt(ts, 10), body))
}

func standardMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// signHeader sets the three Standard Webhooks headers on h.
func signHeader(h http.Header, key []byte, id string, now time.Time, body []byte) {
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(HeaderWebhookSignature, standardSignature(key, id, now.Unix(), body))
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
// time), and the timestamp must be within signatureTolerance of now.
func verifyStandard(key []byte, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp), h.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return &authError{missing: true, reason: "missing webhook-id, webhook-timestamp or webhook-signature header"}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &authError{reason: fmt.Sprintf("webhook-timestamp %q is not unix seconds", clip(ts, 40))}
	}
	want := standardMAC(key, id, ts, body)
	matched := false
	for _, s := range strings.Fields(sigs) {
		ver, b64, ok := strings.Cut(s, ",")
		if !ok || ver != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			matched = true
			break
		}
	}
	if !matched {
		return &authError{reason: "no webhook-signature matches the body; check the secret"}
	}
	if d := now.Sub(time.Unix(sec, 0)); d > signatureTolerance || d < -signatureTolerance {
		return &authError{reason: fmt.Sprintf("webhook-timestamp is %s off the hub's clock (tolerance %s)",
			d.Abs().Round(time.Second), signatureTolerance)}
	}
	return nil
}
