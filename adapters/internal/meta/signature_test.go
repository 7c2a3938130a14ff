package meta

import (
	"errors"
	"strings"
	"testing"
)

const testSecret = "a93e0b7c41d26f58e17b3c9d20f4a6e1"

func TestSign_matches_an_independently_computed_signature(t *testing.T) {
	// printf '%s' '{"object":"whatsapp_business_account","entry":[]}' |
	//   openssl dgst -sha256 -hmac a93e0b7c41d26f58e17b3c9d20f4a6e1
	const want = "sha256=62d670a38b134f0974520650bcecff7b9db8b5367b9380ed0d36cd2bf1ffc058"
	got := Sign(testSecret, []byte(`{"object":"whatsapp_business_account","entry":[]}`))
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
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
		{"surrounding spaces", testSecret, " " + good + " ", body, nil},
		{"prefix in capitals", testSecret, "SHA256=" + strings.TrimPrefix(good, "sha256="), body, nil},
		{"hex in capitals", testSecret, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, nil},
		{"missing", testSecret, "", body, ErrMissingSignature},
		{"other secret", "another-app-secret", good, body, ErrBadSignature},
		{"body changed by one byte", testSecret, good, []byte(`{"object":"page","entry":[ ]}`), ErrBadSignature},
		{"legacy sha1 value", testSecret, "sha1=e5e6a334f14deacbc46d77b2dda2341db4bf3d64", body, ErrBadSignature},
		{"no prefix", testSecret, strings.TrimPrefix(good, "sha256="), body, ErrBadSignature},
		{"truncated", testSecret, good[:len(good)-2], body, ErrBadSignature},
		{"not hex", testSecret, "sha256=" + strings.Repeat("zz", 32), body, ErrBadSignature},
		{"two signatures", testSecret, good + "," + good, body, ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.secret, tc.header, tc.body); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzVerify checks signature headers: Verify never panics, accepts only
// the body's own signature, and always accepts what Sign makes.
func FuzzVerify(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(testSecret, header, body)
		if err != nil && !errors.Is(err, ErrMissingSignature) && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify = %v, want nil, ErrMissingSignature or ErrBadSignature", err)
		}
		if err == nil && Verify("another secret", header, body) == nil {
			t.Fatalf("header %q verifies under two secrets", header)
		}
		if err := Verify(testSecret, Sign(testSecret, body), body); err != nil {
			t.Fatalf("Verify(Sign(body)) = %v", err)
		}
	})
}
