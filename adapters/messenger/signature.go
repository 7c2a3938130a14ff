package messenger

import "github.com/switchboard-hq/switchboard/adapters/internal/meta"

// HeaderSignature carries Meta's signature of a webhook body. The legacy
// X-Hub-Signature (SHA-1) header is ignored: it is not sufficient on its own.
const HeaderSignature = meta.HeaderSignature

// errMissingSignature is a POST without X-Hub-Signature-256 (401).
var errMissingSignature = meta.ErrMissingSignature

// errBadSignature is an X-Hub-Signature-256 that is malformed or does not
// match the body (403).
var errBadSignature = meta.ErrBadSignature

// Sign returns the X-Hub-Signature-256 value Meta sends with body:
// "sha256=" and the hex HMAC-SHA256 of the raw body under the app secret.
func Sign(appSecret string, body []byte) string { return meta.Sign(appSecret, body) }

// Verify checks header, the X-Hub-Signature-256 value of a request, against
// the raw body in constant time. It returns nil, errMissingSignature for an
// empty header, or errBadSignature.
func Verify(appSecret, header string, body []byte) error {
	return meta.Verify(appSecret, header, body)
}
