package messenger

import (
	"errors"
	"strings"
	"testing"
)

func TestSign_reproduces_every_fixture_signature_but_the_forged_one(t *testing.T) {
	for _, c := range loadManifest(t) {
		req := loadRequest(t, c.File)
		got := Sign(c.Secret, []byte(req.Body))
		forged := c.Expect.RejectReason == "bad_signature"
		if (got == req.Headers[HeaderSignature]) == forged {
			t.Errorf("%s: Sign = %s, header %s (forged: %v)", c.File, got, req.Headers[HeaderSignature], forged)
		}
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	good := Sign(testSecret, body)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		want   error
	}{
		{"valid", testSecret, good, body, nil},
		{"prefix in capitals", testSecret, "SHA256=" + strings.TrimPrefix(good, "sha256="), body, nil},
		{"hex in capitals", testSecret, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, nil},
		{"missing", testSecret, "", body, errMissingSignature},
		{"other secret", "another-app-secret", good, body, errBadSignature},
		{"body changed by one byte", testSecret, good, []byte(`{"object":"page","entry":[ ]}`), errBadSignature},
		{"legacy sha1 value", testSecret, "sha1=e5e6a334f14deacbc46d77b2dda2341db4bf3d64", body, errBadSignature},
		{"no prefix", testSecret, strings.TrimPrefix(good, "sha256="), body, errBadSignature},
		{"truncated", testSecret, good[:len(good)-2], body, errBadSignature},
		{"not hex", testSecret, "sha256=" + strings.Repeat("zz", 32), body, errBadSignature},
		{"two signatures", testSecret, good + "," + good, body, errBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.secret, tc.header, tc.body); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}
