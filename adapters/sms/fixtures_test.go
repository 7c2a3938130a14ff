package sms

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureDir holds the shared SMS fixtures; CI checks ../shared out beside
// the repository.
const fixtureDir = "../../../shared/fixtures/sms"

// fixtureCase is one entry of cases.json.
type fixtureCase struct {
	File   string `json:"file"`
	Secret string `json:"secret"`
	URL    string `json:"url"`
	Limits struct {
		MaxBodyBytes int64 `json:"max_body_bytes"`
	} `json:"limits"`
	Expect expectation `json:"expect"`
	// Request is the webhook request the file holds.
	Request fixtureRequest `json:"-"`
}

type fixtureRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// expectation is a case's expect object. Only keys present are asserted;
// a null value means the thing must be absent or empty.
type expectation map[string]json.RawMessage

// handledKeys are the expect keys the tests assert; any other key fails
// the test, so a new fixture key is never silently ignored.
var handledKeys = []string{
	"channel", "outcome", "external_message_id", "contact", "text", "raw_text", "pii_masked",
	"attachments", "http_status", "event", "reject_reason", "duplicate_of", "segments",
}

func (e expectation) has(key string) bool { _, ok := e[key]; return ok }

func (e expectation) null(key string) bool { return string(e[key]) == "null" }

// get decodes key into v, failing t if it does not decode.
func (e expectation) get(t *testing.T, key string, v any) {
	t.Helper()
	if err := json.Unmarshal(e[key], v); err != nil {
		t.Fatalf("expect.%s: %v", key, err)
	}
}

func (e expectation) str(t *testing.T, key string) string {
	var s string
	e.get(t, key, &s)
	return s
}

type expectedAttachment struct {
	Type     *string `json:"type"`
	MIMEType *string `json:"mime_type"`
	Ref      *string `json:"ref"`
	Flagged  *bool   `json:"flagged"`
}

// loadCases reads the manifest and every request file, in manifest order.
func loadCases(t *testing.T) []fixtureCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatalf("the SMS fixtures are missing (%v): check out the shared fixtures so that %s exists", err, fixtureDir)
	}
	var cases []fixtureCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	for i := range cases {
		c := &cases[i]
		b, err := os.ReadFile(filepath.Join(fixtureDir, c.File))
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		if err := json.Unmarshal(b, &c.Request); err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		for k := range c.Expect {
			if !slices.Contains(handledKeys, k) {
				t.Errorf("%s: expect.%s is not asserted by these tests; teach them", c.File, k)
			}
		}
	}
	return cases
}

// form is the request body's parameters.
func (c fixtureCase) form(t *testing.T) url.Values {
	t.Helper()
	f, err := url.ParseQuery(c.Request.Body)
	if err != nil {
		t.Fatalf("%s: body: %v", c.File, err)
	}
	return f
}

// httpRequest rebuilds the recorded request, for the adapter's routes.
func (c fixtureCase) httpRequest() *http.Request {
	r := httptest.NewRequest(c.Request.Method, "https://hub.example.com"+c.Request.Path, strings.NewReader(c.Request.Body))
	for k, v := range c.Request.Headers {
		r.Header.Set(k, v)
	}
	return r
}

// channelConfig is the configuration every case assumes: the signed URL's
// base as public_url and its path as the channel's path.
func channelConfig(t *testing.T, cases []fixtureCase) Config {
	t.Helper()
	first := cases[0]
	for _, c := range cases {
		if c.Secret != first.Secret || c.Limits != first.Limits || urlBase(c.URL) != urlBase(first.URL) {
			t.Fatalf("%s: secret, limits or URL base differ from %s; one adapter cannot take every case", c.File, first.File)
		}
	}
	u, err := url.Parse(first.URL)
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		AuthToken: first.Secret, AccountSID: testSID, MessagingServiceSID: testService,
		PublicURL: urlBase(first.URL), Path: path.Dir(u.Path), MaxBodyBytes: first.Limits.MaxBodyBytes,
	}
}

// urlBase is u without its last path element.
func urlBase(u string) string { return u[:strings.LastIndex(u, "/")] }
