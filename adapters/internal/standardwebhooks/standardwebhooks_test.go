package standardwebhooks

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's worked example.
const (
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestParseSecret(t *testing.T) {
	tests := []struct {
		name, secret, wantErr string
		wantLen               int
	}{
		{name: "spec example", secret: testSecret, wantLen: 24},
		{name: "unpadded 32 bytes", secret: "whsec_" + base64.RawStdEncoding.EncodeToString(make([]byte, 32)), wantLen: 32},
		{name: "padded 32 bytes", secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)), wantLen: 32},
		{name: "no prefix", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", wantErr: `start with "whsec_"`},
		{name: "not base64", secret: "whsec_not base64!", wantErr: "not whsec_<base64>"},
		{name: "too short", secret: "whsec_c2hvcnQ=", wantErr: "at least 24"},
		{name: "empty", secret: "", wantErr: `start with "whsec_"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseSecret(tt.secret)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(key) != tt.wantLen {
				t.Fatalf("got %d bytes, %v; want %d bytes", len(key), err, tt.wantLen)
			}
		})
	}
}

func TestSign_spec_example(t *testing.T) {
	got := Sign(testKey(t), specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if got != specSignature {
		t.Errorf("Sign = %s, want %s", got, specSignature)
	}
}

// A second known answer, computed once with an independent HMAC-SHA256
// implementation (Python's hmac module) over "wh_1.1714564800.hello".
func TestSign_known_answer(t *testing.T) {
	key := []byte("0123456789abcdef01234567")
	const want = "v1,cpxnv6ejfLPKl9LgvwRL5TlVR7w+0QcvqJFcR1VENds="
	if got := Sign(key, "wh_1", testNow, []byte("hello")); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify_round_trip(t *testing.T) {
	h := http.Header{}
	SignHeader(h, testKey(t), specID, time.Unix(specTimestamp, 0), []byte(specBody))
	v := Verifier{Key: testKey(t), Now: func() time.Time { return time.Unix(specTimestamp+60, 0) }}
	if err := v.Verify(h, []byte(specBody)); err != nil {
		t.Fatalf("Verify = %v, want nil", err)
	}
	if got := h.Get(HeaderSignature); got != specSignature {
		t.Errorf("webhook-signature = %s, want %s", got, specSignature)
	}
}

func specHeader(sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(HeaderSignature, sig)
	return h
}

func specVerifier(t *testing.T, now time.Time) Verifier {
	return Verifier{Key: testKey(t), Now: func() time.Time { return now }}
}

func TestVerify_any_of_several_signatures(t *testing.T) {
	v := specVerifier(t, time.Unix(specTimestamp, 0))
	for _, sig := range []string{
		"v1,Zm9vYmFy " + specSignature,
		specSignature + " v1,Zm9vYmFy",
		"v1a,c29tZWFzeW1tZXRyaWM= " + specSignature,
		"  " + specSignature + "  ",
	} {
		if err := v.Verify(specHeader(sig), []byte(specBody)); err != nil {
			t.Errorf("Verify(%q) = %v, want nil", sig, err)
		}
	}
}

func TestVerify_missing_headers(t *testing.T) {
	v := specVerifier(t, time.Unix(specTimestamp, 0))
	for _, name := range []string{HeaderID, HeaderTimestamp, HeaderSignature} {
		h := specHeader(specSignature)
		h.Del(name)
		err := v.Verify(h, []byte(specBody))
		var missing *MissingHeaderError
		if !errors.As(err, &missing) || missing.Header != name {
			t.Errorf("without %s: err = %v, want MissingHeaderError for it", name, err)
		}
	}
}

func TestVerify_bad_signature(t *testing.T) {
	v := specVerifier(t, time.Unix(specTimestamp, 0))
	tests := []struct {
		name   string
		header http.Header
		body   string
		reason string
	}{
		{"tampered body", specHeader(specSignature), `{"test": 2432232315}`, "no signature matches"},
		{"other secret", specHeader("v1,Zm9vYmFy"), specBody, "no signature matches"},
		{"not base64", specHeader("v1,!!!"), specBody, "no signature matches"},
		{"no v1 entry", specHeader("v2,abc"), specBody, "no v1 signature"},
		{"no version", specHeader(strings.TrimPrefix(specSignature, "v1,")), specBody, "no v1 signature"},
		{"timestamp not a number", func() http.Header {
			h := specHeader(specSignature)
			h.Set(HeaderTimestamp, "2021-02-26T09:42:10Z")
			return h
		}(), specBody, "not unix seconds"},
		{"id changed", func() http.Header {
			h := specHeader(specSignature)
			h.Set(HeaderID, "msg_other")
			return h
		}(), specBody, "no signature matches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Verify(tt.header, []byte(tt.body))
			var se *SignatureError
			if !errors.As(err, &se) || !strings.Contains(se.Reason, tt.reason) {
				t.Fatalf("err = %v, want SignatureError mentioning %q", err, tt.reason)
			}
		})
	}
}

func TestVerify_stale_timestamp(t *testing.T) {
	signed := time.Unix(specTimestamp, 0)
	tests := []struct {
		name  string
		now   time.Time
		stale bool
	}{
		{"just signed", signed, false},
		{"5 minutes later", signed.Add(5 * time.Minute), false},
		{"5 minutes earlier", signed.Add(-5 * time.Minute), false},
		{"5 minutes 1 second later", signed.Add(5*time.Minute + time.Second), true},
		{"sender clock 6 minutes ahead", signed.Add(-6 * time.Minute), true},
		{"a day later", signed.Add(24 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := specVerifier(t, tt.now).Verify(specHeader(specSignature), []byte(specBody))
			var te *TimestampError
			if got := errors.As(err, &te); got != tt.stale {
				t.Fatalf("err = %v, want stale %v", err, tt.stale)
			}
			if tt.stale && !strings.Contains(err.Error(), "tolerance 5m0s") {
				t.Errorf("err = %q, want it to state the tolerance", err)
			}
		})
	}
}

// A forged request with an old timestamp is reported as a bad signature,
// not as stale: TimestampError is kept for authentic requests.
func TestVerify_signature_checked_before_timestamp(t *testing.T) {
	err := specVerifier(t, time.Unix(specTimestamp, 0).Add(time.Hour)).Verify(specHeader("v1,Zm9vYmFy"), []byte(specBody))
	var se *SignatureError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want SignatureError", err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(specID, strconv.Itoa(specTimestamp), specSignature, []byte(specBody))
	f.Add(specID, strconv.Itoa(specTimestamp), "v1,Zm9vYmFy "+specSignature, []byte(specBody))
	f.Add("", "", "", []byte(nil))
	f.Add("id", "-99999999999999999999", "v1,", []byte("{}"))
	f.Add("id", "1614265330", "v1,,,, v1 ,v1,=", []byte("x"))
	key, _ := ParseSecret(testSecret)
	now := time.Unix(specTimestamp, 0)
	v := Verifier{Key: key, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h[http.CanonicalHeaderKey(HeaderID)] = []string{id}
		h[http.CanonicalHeaderKey(HeaderTimestamp)] = []string{ts}
		h[http.CanonicalHeaderKey(HeaderSignature)] = []string{sigs}
		err := v.Verify(h, body)
		if err == nil {
			// Accepted: one v1 entry must be the real signature, and
			// the timestamp within tolerance.
			want := mac(key, id, ts, body)
			found := false
			for _, s := range strings.Fields(sigs) {
				if b64, ok := strings.CutPrefix(s, "v1,"); ok {
					got, derr := base64.StdEncoding.DecodeString(b64)
					found = found || (derr == nil && hmac.Equal(got, want))
				}
			}
			sec, perr := strconv.ParseInt(ts, 10, 64)
			if !found || perr != nil || now.Sub(time.Unix(sec, 0)).Abs() > DefaultTolerance {
				t.Fatalf("Verify accepted id=%q ts=%q sigs=%q", id, ts, sigs)
			}
			return
		}
		var (
			m  *MissingHeaderError
			s  *SignatureError
			te *TimestampError
		)
		if !errors.As(err, &m) && !errors.As(err, &s) && !errors.As(err, &te) {
			t.Fatalf("Verify returned an untyped error: %v", err)
		}
	})
}

// testSecret is the Standard Webhooks specification's example secret.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// testNow is the fixed clock of the tests.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func testKey(t testing.TB) []byte {
	t.Helper()
	key, err := ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
