package webchat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// keys are the widget secret's derived keys, one per purpose, so that a
// value signed for one use is never accepted for another.
type keys struct {
	identity []byte // the secret itself: sites compute HMAC(secret, user id)
	visitor  []byte
	upload   []byte
	file     []byte
	transfer []byte
	code     []byte
}

func deriveKeys(secret string) keys {
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("switchboard webchat v1 " + purpose))
		return m.Sum(nil)
	}
	return keys{
		identity: []byte(secret),
		visitor:  derive("visitor token"),
		upload:   derive("upload"),
		file:     derive("file link"),
		transfer: derive("transfer link"),
		code:     derive("verification code"),
	}
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// maxVisitorID bounds a visitor id: "v_" ids, "u:" + a site's user id.
const maxVisitorID = 220

// visitorToken is the opaque token a widget keeps for visitorID on channel.
func (k keys) visitorToken(channel, visitorID string) string {
	return b64.EncodeToString([]byte(visitorID)) + "." + b64.EncodeToString(mac(k.visitor, channel, visitorID)[:18])
}

// visitorOf returns the visitor id a token was issued for, or "" when the
// token is not one of channel's.
func (k keys) visitorOf(channel, token string) string {
	id64, sig64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2*maxVisitorID {
		return ""
	}
	id, err1 := b64.DecodeString(id64)
	sig, err2 := b64.DecodeString(sig64)
	if err1 != nil || err2 != nil || len(id) == 0 || len(id) > maxVisitorID {
		return ""
	}
	if !hmac.Equal(sig, mac(k.visitor, channel, string(id))[:18]) {
		return ""
	}
	return string(id)
}

// identityOK checks a site's identity HMAC: hex HMAC-SHA256(secret, userID),
// the scheme Intercom and Chatwoot use.
func (k keys) identityOK(userID, hash string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(hash))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, k.identity)
	m.Write([]byte(userID))
	return hmac.Equal(got, m.Sum(nil))
}

// IdentityHash is what a site computes on its server for a signed-in user:
// hex HMAC-SHA256(secret, userID). The widget passes it with the user id.
func IdentityHash(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// signed encodes v as JSON with an HMAC under key: "<payload>.<mac>".
func signed(key []byte, v any) string {
	payload, _ := json.Marshal(v) // plain structs: cannot fail
	p := b64.EncodeToString(payload)
	return p + "." + b64.EncodeToString(mac(key, p)[:18])
}

var errBadSignature = errors.New("bad or expired signature")

// openSigned checks a value made by signed and decodes it into v.
func openSigned(key []byte, s string, v any) error {
	p, sig64, ok := strings.Cut(s, ".")
	if !ok || len(s) > 4096 {
		return errBadSignature
	}
	sig, err := b64.DecodeString(sig64)
	if err != nil || !hmac.Equal(sig, mac(key, p)[:18]) {
		return errBadSignature
	}
	payload, err := b64.DecodeString(p)
	if err != nil || json.Unmarshal(payload, v) != nil {
		return errBadSignature
	}
	return nil
}

// uploadGrant is what an upload token vouches for: a stored blob, uploaded
// by one visitor, that they may attach to a message.
type uploadGrant struct {
	Visitor string `json:"v"`
	Blob    string `json:"b"`
	Name    string `json:"n"`
	Type    string `json:"t"`
	Size    int64  `json:"s"`
	Voice   bool   `json:"o,omitempty"`
	Expires int64  `json:"e"`
}

// transferGrant is what a $webtransfer link vouches for: the contact it
// continues.
type transferGrant struct {
	Contact string `json:"c"`
	Expires int64  `json:"e"`
}

func expired(unix int64, now time.Time) bool { return now.Unix() > unix }

// fileSig signs the link at which a visitor fetches an attachment of a
// message.
func (k keys) fileSig(messageID, ref string) string {
	return b64.EncodeToString(mac(k.file, messageID, ref)[:16])
}

func (k keys) fileSigOK(messageID, ref, sig string) bool {
	got, err := b64.DecodeString(sig)
	return err == nil && hmac.Equal(got, mac(k.file, messageID, ref)[:16])
}

// newVisitorID makes an anonymous visitor id: "v_" and 128 random bits.
func newVisitorID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails
	return prefix + strings.ToLower(base32NoPad(b))
}

func base32NoPad(b []byte) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var out []byte
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[acc>>uint(bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, alphabet[acc<<uint(5-bits)&31])
	}
	return string(out)
}
