package whatsapp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixtureDir is where the shared WhatsApp Cloud API fixtures live: ../shared
// beside the repository.
const fixtureDir = "../../../shared/fixtures/whatsapp-cloud"

type fixtureCase struct {
	File        string `json:"file"`
	Description string `json:"description"`
	Secret      string `json:"secret"`
	Limits      struct {
		MaxBodyBytes int64 `json:"max_body_bytes"`
	} `json:"limits"`
	Expect expectation `json:"expect"`
}

// expectation holds every key the README defines for WhatsApp cases; the
// manifest is decoded strictly, so a key this test does not assert fails
// it. Raw fields tell null (must be absent) from omitted (not checked).
type expectation struct {
	Channel           string  `json:"channel"`
	Outcome           string  `json:"outcome"`
	HTTPStatus        int     `json:"http_status"`
	ExternalMessageID *string `json:"external_message_id"`
	Contact           *struct {
		ExternalID  string          `json:"external_id"`
		PhoneE164   string          `json:"phone_e164"`
		DisplayName json.RawMessage `json:"display_name"`
	} `json:"contact"`
	ContactIsNew *bool           `json:"contact_is_new"`
	Text         json.RawMessage `json:"text"`
	Attachments  *[]struct {
		Type     string `json:"type"`
		Filename string `json:"filename"`
		MIMEType string `json:"mime_type"`
		Ref      string `json:"ref"`
	} `json:"attachments"`
	SentAt   *string `json:"sent_at"`
	ReplyTo  *string `json:"reply_to"`
	Postback *struct {
		Payload string `json:"payload"`
		Title   string `json:"title"`
	} `json:"postback"`
	Event *struct {
		Type            string `json:"type"`
		TargetMessageID string `json:"target_message_id"`
		Recipient       string `json:"recipient"`
		At              string `json:"at"`
		Action          string `json:"action"`
		Emoji           string `json:"emoji"`
	} `json:"event"`
	RejectReason string        `json:"reject_reason"`
	DuplicateOf  string        `json:"duplicate_of"`
	Items        []expectation `json:"items"`
}

type fixtureRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func loadManifest(t testing.TB) []fixtureCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatalf("the shared WhatsApp Cloud fixtures are missing (%v): check out ../shared beside the repository", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cases []fixtureCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("cases.json: %v (a key this test does not know must be asserted before it may pass)", err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	return cases
}

func loadRequest(t testing.TB, file string) fixtureRequest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var r fixtureRequest
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return r
}

// httpRequest rebuilds the recorded request; the body is the exact signed
// bytes.
func (r fixtureRequest) httpRequest() *http.Request {
	req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(r.Body))
	for k, v := range r.Headers {
		if k != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	req.Host = r.Headers["Host"]
	return req
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
