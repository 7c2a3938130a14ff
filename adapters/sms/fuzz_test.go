package sms

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/adapters/internal/standardwebhooks"
)

// The seed corpora under testdata/fuzz come from the shared fixtures (every
// request body, URL and signature) plus hand-written edge cases.

func FuzzParseTwilioMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		m, err := parseTwilioMessage(form, "US")
		if err != nil {
			if _, ok := err.(*parseError); !ok {
				t.Fatalf("error %T %v is not a parseError", err, err)
			}
			return
		}
		if m.ID == "" || m.From == "" || len(m.Media) > maxMedia || !utf8.ValidString(m.Text) {
			t.Fatalf("accepted an invalid message: %+v", m)
		}
		if m.Phone != "" && (m.Phone != m.From || !strings.HasPrefix(m.Phone, "+")) {
			t.Fatalf("phone %q is not the E.164 sender %q", m.Phone, m.From)
		}
		for _, md := range m.Media {
			if md.URL == nil || md.URL.Host == "" || (md.URL.Scheme != "http" && md.URL.Scheme != "https") {
				t.Fatalf("accepted media URL %v", md.URL)
			}
		}
		if (m.Consent == consentNone) != (m.Keyword == "") && m.Consent != consentNone {
			t.Fatalf("consent %s with keyword %q", m.Consent, m.Keyword)
		}
		if (m.Text == "") != (m.Segments == 0) {
			t.Fatalf("%d segments for %q", m.Segments, m.Text)
		}
	})
}

func FuzzParseTwilioStatus(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		s, err := parseTwilioStatus(form)
		if err != nil {
			return
		}
		if s.ID == "" || s.Status == "" || s.Status != strings.ToLower(s.Status) {
			t.Fatalf("accepted an invalid report: %+v", s)
		}
	})
}

func FuzzTwilioSignature(f *testing.F) {
	f.Fuzz(func(t *testing.T, rawURL, body, header string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		key := []byte(testToken)
		ok := validTwilioSignature(key, rawURL, form, header)
		sig := TwilioSignature(testToken, rawURL, form)
		if strings.TrimSpace(header) == sig && !ok {
			t.Fatalf("the exact signature %q was refused", sig)
		}
		if !validTwilioSignature(key, rawURL, form, sig) {
			t.Fatalf("a signature made for %q does not verify", rawURL)
		}
		if validTwilioSignature([]byte("another token"), rawURL, form, sig) {
			t.Fatal("a signature verified under another token")
		}
	})
}

func FuzzParseGenericMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseGenericMessage(body, "")
		if err != nil {
			return
		}
		if m.ID == "" || m.From == "" || len(m.Media) > maxMedia {
			t.Fatalf("accepted an invalid message: %+v", m)
		}
	})
}

func FuzzParseGenericStatus(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := parseGenericStatus(body)
		if err != nil {
			return
		}
		if _, known := statusKinds[s.Status]; !known || s.ID == "" {
			t.Fatalf("accepted an invalid report: %+v", s)
		}
	})
}

func FuzzVerifyStandard(f *testing.F) {
	key, err := parseSecret(testSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h.Set(HeaderWebhookID, id)
		h.Set(HeaderWebhookTimestamp, ts)
		h.Set(HeaderWebhookSignature, sigs)
		if err := verifyStandard(key, h, body, testNow); err != nil {
			return
		}
		want := standardwebhooks.SignRaw(key, id, ts, body)
		if !strings.Contains(sigs, want) {
			t.Fatalf("accepted signatures %q that do not hold the right one", sigs)
		}
	})
}

func FuzzMediaToken(f *testing.F) {
	s := mediaSigner{key: []byte("0123456789abcdef0123456789abcdef"), ttl: time.Hour}
	f.Add(s.sign(mediaToken{Blob: "sha256:ab", MIMEType: "image/png", Expires: testNow.Add(time.Hour)}))
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := s.parse(token, testNow)
		if err != nil {
			return
		}
		if s.sign(tok) != token {
			t.Fatalf("accepted token %q that the signer would not have made", token)
		}
	})
}
