package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// HeaderSignature carries Meta's signature of a webhook body. The legacy
// X-Hub-Signature (SHA-1) header is ignored: it is not sufficient on its own.
const HeaderSignature = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// ErrMissingSignature is a POST without X-Hub-Signature-256 (401).
var ErrMissingSignature = errors.New("missing " + HeaderSignature + " header")

// ErrBadSignature is an X-Hub-Signature-256 that is malformed or does not
// match the body (403).
var ErrBadSignature = errors.New(HeaderSignature + " does not match the body; check the app secret")

// Sign returns the X-Hub-Signature-256 value Meta sends with body:
// "sha256=" and the hex HMAC-SHA256 of the raw body under the app secret.
func Sign(appSecret string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac([]byte(appSecret), body))
}

// Verify checks header, the X-Hub-Signature-256 value of a request, against
// the raw body in constant time. It returns nil, ErrMissingSignature for an
// empty header, or ErrBadSignature.
func Verify(appSecret, header string, body []byte) error {
	if header == "" {
		return ErrMissingSignature
	}
	hexSig, ok := cutPrefixFold(strings.TrimSpace(header), signaturePrefix)
	if !ok || len(hexSig) != 2*sha256.Size {
		return ErrBadSignature
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(hexSig)); err != nil {
		return ErrBadSignature
	}
	if !hmac.Equal(got[:], mac([]byte(appSecret), body)) {
		return ErrBadSignature
	}
	return nil
}

func mac(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

// cutPrefixFold is strings.CutPrefix ignoring case, so that "SHA256=" is
// read like Meta's "sha256=".
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
