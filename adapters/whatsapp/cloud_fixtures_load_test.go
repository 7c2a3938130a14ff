package whatsapp

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/internal/fixturetest"
)

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

type fixtureRequest = fixturetest.Request

func loadManifest(t testing.TB) []fixtureCase {
	t.Helper()
	var cases []fixtureCase
	fixturetest.Manifest(t, "whatsapp-cloud", &cases)
	if len(cases) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	return cases
}

func loadRequest(t testing.TB, file string) fixtureRequest {
	t.Helper()
	return fixturetest.LoadRequest(t, "whatsapp-cloud", file)
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
