package telegram

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// fixtureDir holds the shared Telegram fixtures; CI lays shared/ beside
// the repository.
const fixtureDir = "../../../shared/fixtures/telegram"

type fixtureCase struct {
	File        string        `json:"file"`
	Description string        `json:"description"`
	Secret      string        `json:"secret"`
	Limits      fixtureLimits `json:"limits"`
	Expect      fixtureExpect `json:"expect"`
}

type fixtureLimits struct {
	MaxBodyBytes int64 `json:"max_body_bytes"`
}

// fixtureExpect holds the keys the README defines for Telegram. Keys that
// are absent are not checked; json.RawMessage keeps null apart from absent.
type fixtureExpect struct {
	Outcome           string            `json:"outcome"`
	UpdateID          int               `json:"update_id"`
	ExternalMessageID string            `json:"external_message_id"`
	Contact           *fixtureContact   `json:"contact"`
	Text              json.RawMessage   `json:"text"`
	Attachments       json.RawMessage   `json:"attachments"`
	SentAt            string            `json:"sent_at"`
	HTTPStatus        int               `json:"http_status"`
	FilterReason      string            `json:"filter_reason"`
	RejectReason      string            `json:"reject_reason"`
	DuplicateOf       string            `json:"duplicate_of"`
	StickerEmoji      string            `json:"sticker_emoji"`
	ReplyTo           string            `json:"reply_to"`
	Event             *fixtureEvent     `json:"event"`
	Postback          *fixturePostback  `json:"postback"`
	SharedContact     *fixtureShared    `json:"shared_contact"`
	attachments       []fixtureAttached // decoded from Attachments
}

type fixtureContact struct {
	ExternalID  string `json:"external_id"`
	DisplayName string `json:"display_name"`
	Username    string `json:"username"`
	PhoneE164   string `json:"phone_e164"`
}

type fixtureAttached struct {
	Type     string `json:"type"`
	Filename string `json:"filename"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size"`
	Duration int    `json:"duration"`
	Ref      string `json:"ref"`
}

type fixtureEvent struct {
	Type            string `json:"type"`
	TargetMessageID string `json:"target_message_id"`
	Text            string `json:"text"`
	EditedAt        string `json:"edited_at"`
}

type fixturePostback struct {
	Payload         string `json:"payload"`
	CallbackQueryID string `json:"callback_query_id"`
	SourceMessageID string `json:"source_message_id"`
}

type fixtureShared struct {
	PhoneE164 string `json:"phone_e164"`
	Name      string `json:"name"`
	UserID    string `json:"user_id"`
	IsSender  bool   `json:"is_sender"`
}

type fixtureRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// loadFixtures reads the manifest and every request file, in order. Their
// absence fails the test: a skipped fixture run would pass silently.
func loadFixtures(t testing.TB) ([]fixtureCase, []fixtureRequest) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatalf("the Telegram fixtures are missing (%v): shared/fixtures must sit beside the repository", err)
	}
	var cases []fixtureCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.json lists no case")
	}
	reqs := make([]fixtureRequest, len(cases))
	for i, c := range cases {
		b, err := os.ReadFile(filepath.Join(fixtureDir, c.File))
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		if err := json.Unmarshal(b, &reqs[i]); err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		if len(c.Expect.Attachments) > 0 && string(c.Expect.Attachments) != "null" {
			if err := json.Unmarshal(c.Expect.Attachments, &cases[i].Expect.attachments); err != nil {
				t.Fatalf("%s: attachments: %v", c.File, err)
			}
		}
	}
	return cases, reqs
}

// TestFixtures_every_case_in_manifest_order_through_the_webhook feeds the
// shared fixtures, in order, into one fresh adapter in webhook mode whose
// hub is real, and checks every key each case's expectation holds: the
// HTTP answer, what the converter read (update id, declared media types,
// file ids, username, sticker emoji, shared contact, postback), and what the
// hub stored (message, text, time, attachments fetched from the file API,
// contact name and phone, edits, duplicates, nothing for filtered and
// rejected requests).
func TestFixtures_every_case_in_manifest_order_through_the_webhook(t *testing.T) {
	cases, reqs := loadFixtures(t)
	bot := newFakeBot(t)
	cfg := bot.config(ModeWebhook)
	cfg.SecretToken = cases[0].Secret
	cfg.MaxBodyBytes = cases[0].Limits.MaxBodyBytes
	// The fake file API serves bytes of the declared type and size for
	// every file the fixtures mention.
	for _, c := range cases {
		for _, a := range c.Expect.attachments {
			bot.addFile(a.Ref, sample(a.MIMEType, int(a.Size)))
		}
	}
	e := newEnvWith(t, bot, cfg, t.TempDir())
	for i, c := range cases {
		req := reqs[i]
		t.Run(strings.TrimSuffix(c.File, ".json"), func(t *testing.T) {
			if c.Secret != cfg.SecretToken || c.Limits.MaxBodyBytes != cfg.MaxBodyBytes {
				t.Fatalf("case configuration differs from the first case's: secret %q, limit %d", c.Secret, c.Limits.MaxBodyBytes)
			}
			before := e.messageCount()
			header := make(map[string][]string)
			for k, v := range req.Headers {
				header[k] = []string{v}
			}
			rec := e.post(req.Body, header)
			if rec.Code != c.Expect.HTTPStatus {
				t.Fatalf("HTTP status = %d (%s), want %d", rec.Code, rec.Body, c.Expect.HTTPStatus)
			}
			checkConverted(t, c, req.Body)
			checkStored(t, e, c, before)
		})
	}
}

// checkConverted checks what the pure converter reads from the body.
func checkConverted(t *testing.T, c fixtureCase, body string) {
	t.Helper()
	x := c.Expect
	u, err := parseUpdate([]byte(body))
	if err != nil {
		t.Fatalf("parseUpdate: %v", err)
	}
	if x.UpdateID != 0 && u.UpdateID != x.UpdateID {
		t.Errorf("update_id = %d, want %d", u.UpdateID, x.UpdateID)
	}
	ev, err := convert(u)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	if x.Outcome == "rejected" {
		return // refused before parsing; the body itself is fine
	}
	if x.Outcome == "filtered" {
		if ev.Skip != x.FilterReason {
			t.Errorf("skip reason = %q, want %q", ev.Skip, x.FilterReason)
		}
		return
	}
	if ev.Skip != "" {
		t.Fatalf("update skipped (%s %s), want %s", ev.Skip, ev.SkipDetail, x.Outcome)
	}
	if x.ExternalMessageID != "" && ev.ProviderMessageID != x.ExternalMessageID {
		t.Errorf("provider message id = %q, want %q", ev.ProviderMessageID, x.ExternalMessageID)
	}
	if x.Contact != nil {
		if ev.Contact.ID != x.Contact.ExternalID || ev.Contact.Name != x.Contact.DisplayName ||
			(x.Contact.Username != "" && ev.Contact.Username != x.Contact.Username) ||
			(x.Contact.PhoneE164 != "" && ev.Contact.Phone != x.Contact.PhoneE164) {
			t.Errorf("contact = %+v, want %+v", ev.Contact, *x.Contact)
		}
	}
	if x.StickerEmoji != "" && ev.StickerEmoji != x.StickerEmoji {
		t.Errorf("sticker emoji = %q, want %q", ev.StickerEmoji, x.StickerEmoji)
	}
	if x.ReplyTo != "" && ev.ReplyTo != x.ReplyTo {
		t.Errorf("reply_to = %q, want %q", ev.ReplyTo, x.ReplyTo)
	}
	if x.Attachments != nil {
		if len(ev.Media) != len(x.attachments) {
			t.Fatalf("media = %+v, want %+v", ev.Media, x.attachments)
		}
		for i, want := range x.attachments {
			got := ev.Media[i]
			if got.Type != want.Type || got.MIMEType != want.MIMEType || got.Size != want.Size || got.FileID != want.Ref ||
				(want.Filename != "" && got.Filename != want.Filename) || (want.Duration != 0 && got.Duration != want.Duration) {
				t.Errorf("media[%d] = %+v, want %+v", i, got, want)
			}
		}
	}
	if s := x.SharedContact; s != nil {
		got := ev.Shared
		if got == nil || got.PhoneE164 != s.PhoneE164 || got.Name != s.Name || got.UserID != s.UserID || got.IsSender != s.IsSender {
			t.Errorf("shared contact = %+v, want %+v", got, *s)
		}
	}
	if p := x.Postback; p != nil {
		if ev.Kind != core.KindPostback || ev.Text != p.Payload || ev.CallbackQueryID != p.CallbackQueryID || ev.Target != p.SourceMessageID {
			t.Errorf("postback = kind %s payload %q id %q source %q, want %+v", ev.Kind, ev.Text, ev.CallbackQueryID, ev.Target, *p)
		}
	}
	if v := x.Event; v != nil {
		if v.Type != "edit" || ev.Kind != core.KindEdit || ev.Target != v.TargetMessageID || ev.Text != v.Text ||
			ev.SentAt.Format(time.RFC3339) != v.EditedAt {
			t.Errorf("event = kind %s target %q text %q at %s, want %+v", ev.Kind, ev.Target, ev.Text, ev.SentAt.Format(time.RFC3339), *v)
		}
	}
}

// checkStored checks what the hub holds after the request.
func checkStored(t *testing.T, e *env, c fixtureCase, before int) {
	t.Helper()
	x := c.Expect
	after := e.messageCount()
	switch x.Outcome {
	case "filtered", "rejected", "duplicate", "event":
		if after != before {
			t.Errorf("the hub holds %d messages, want still %d", after, before)
		}
	case "message", "postback":
		if after != before+1 {
			t.Errorf("the hub holds %d messages, want %d", after, before+1)
		}
	}
	ctx := context.Background()
	switch x.Outcome {
	case "rejected":
		u, _ := parseUpdate([]byte(mustBody(t, c)))
		if id := messageID(u.Message.Chat.ID, u.Message.MessageID); id != "" {
			if _, ok := e.message(id); ok {
				t.Errorf("rejected message %s was stored", id)
			}
		}
	case "postback":
		m, ok := e.message("callback:" + x.Postback.CallbackQueryID)
		if !ok || m.Kind != core.KindPostback || m.Text != x.Postback.Payload {
			t.Errorf("stored postback = %+v (found %v), want payload %q", m, ok, x.Postback.Payload)
		}
		answers := e.bot.callsOf("answerCallbackQuery")
		if len(answers) != 1 || answers[0].Params.Get("callback_query_id") != x.Postback.CallbackQueryID {
			t.Errorf("answerCallbackQuery calls = %+v, want one for %s", answers, x.Postback.CallbackQueryID)
		}
	case "event":
		m, ok := e.message(x.Event.TargetMessageID)
		if !ok || m.Text != x.Event.Text || m.EditedAt == nil {
			t.Errorf("edited message = %+v (found %v), want text %q marked edited", m, ok, x.Event.Text)
		}
	case "message", "duplicate":
		id := x.ExternalMessageID
		if x.Outcome == "duplicate" {
			u, _ := parseUpdate([]byte(mustBody(t, c)))
			id = messageID(u.Message.Chat.ID, u.Message.MessageID)
		}
		m, ok := e.message(id)
		if !ok {
			t.Fatalf("message %s not stored", id)
		}
		if x.Outcome == "message" {
			checkMessage(t, e, x, m)
		}
	}
	if x.Contact != nil {
		ct, err := e.store.ContactByIdentity(ctx, "telegram", x.Contact.ExternalID)
		if err != nil {
			t.Fatalf("contact %s: %v", x.Contact.ExternalID, err)
		}
		if ct.Name != x.Contact.DisplayName {
			t.Errorf("contact name = %q, want %q", ct.Name, x.Contact.DisplayName)
		}
		if x.Contact.PhoneE164 != "" && ct.Phone != x.Contact.PhoneE164 {
			t.Errorf("contact phone = %q, want %q", ct.Phone, x.Contact.PhoneE164)
		}
	}
}

func checkMessage(t *testing.T, e *env, x fixtureExpect, m core.Message) {
	t.Helper()
	if x.Text != nil {
		var want *string
		_ = json.Unmarshal(x.Text, &want)
		got := strings.TrimRight(strings.ReplaceAll(m.Text, "\r\n", "\n"), " \t\n")
		if want == nil && got != "" || want != nil && got != *want {
			t.Errorf("text = %q, want %s", got, x.Text)
		}
	}
	if x.SentAt != "" && m.SentAt.UTC().Format(time.RFC3339) != x.SentAt {
		t.Errorf("sent_at = %s, want %s", m.SentAt.UTC().Format(time.RFC3339), x.SentAt)
	}
	if x.ReplyTo != "" && m.ThreadKey != x.ReplyTo {
		t.Errorf("thread key = %q, want the replied-to message %q", m.ThreadKey, x.ReplyTo)
	}
	media := m.Attachments
	if x.SharedContact != nil {
		// The shared card is kept as a vCard after the media.
		if len(media) == 0 || !strings.HasSuffix(media[len(media)-1].Filename, ".vcf") {
			t.Fatalf("attachments = %+v, want the shared contact's vCard last", media)
		}
		card := string(e.blob(media[len(media)-1].Blob))
		if !strings.Contains(card, "TEL;TYPE=CELL:"+x.SharedContact.PhoneE164) || !strings.Contains(card, "FN:"+x.SharedContact.Name) {
			t.Errorf("vCard = %q, want name %q and phone %s", card, x.SharedContact.Name, x.SharedContact.PhoneE164)
		}
		media = media[:len(media)-1]
	}
	if x.Attachments == nil {
		return
	}
	if len(media) != len(x.attachments) {
		t.Fatalf("stored attachments = %+v, want %d", media, len(x.attachments))
	}
	for i, want := range x.attachments {
		got := media[i]
		mt, _, _ := strings.Cut(got.MIMEType, ";")
		if mt != want.MIMEType || got.Size != want.Size || got.Voice != (want.Type == "voice") ||
			(want.Filename != "" && got.Filename != want.Filename) {
			t.Errorf("stored attachment %d = %+v, want %+v", i, got, want)
		}
		if string(e.blob(got.Blob)) != string(sample(want.MIMEType, int(want.Size))) {
			t.Errorf("stored attachment %d holds other bytes than the file API served for %s", i, want.Ref)
		}
		fetched := false
		for _, c := range e.bot.callsOf("getFile") {
			fetched = fetched || c.Params.Get("file_id") == want.Ref
		}
		if !fetched {
			t.Errorf("getFile was never asked for %s", want.Ref)
		}
	}
}

func mustBody(t *testing.T, c fixtureCase) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	var r fixtureRequest
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r.Body
}
