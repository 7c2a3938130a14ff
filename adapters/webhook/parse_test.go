package webhook

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

func TestParseMessage_valid(t *testing.T) {
	body := `{
		"id": "ext-42",
		"contact": {"id": "cust-7", "name": "Zoë Ünal", "email": "zoe@example.com", "phone": "+4915112345678", "verified": true},
		"text": "Hallo 👋",
		"attachments": [
			{"data_base64": "aGVsbG8=", "filename": "../../etc/hello.txt", "content_type": "text/plain"},
			{"url": "https://files.example.com/a/report.pdf"},
			{"data_base64": "aGVsbG8"}
		],
		"sent_at": "2024-05-01T11:59:30.5+02:00"
	}`
	p, err := parseMessage([]byte(body))
	if err != nil {
		t.Fatalf("parseMessage: %v", err)
	}
	wantContact := core.ContactRef{ID: "cust-7", Name: "Zoë Ünal", Email: "zoe@example.com", Phone: "+4915112345678", Verified: true}
	if p.ID != "ext-42" || p.Contact != wantContact || p.Text != "Hallo 👋" {
		t.Errorf("got id %q contact %+v text %q", p.ID, p.Contact, p.Text)
	}
	if want := time.Date(2024, 5, 1, 9, 59, 30, 5e8, time.UTC); !p.SentAt.Equal(want) {
		t.Errorf("SentAt = %v, want %v", p.SentAt, want)
	}
	if len(p.Attachments) != 3 {
		t.Fatalf("got %d attachments, want 3", len(p.Attachments))
	}
	tests := []struct{ filename, data, url string }{
		{"hello.txt", "hello", ""},
		{"report.pdf", "", "https://files.example.com/a/report.pdf"},
		{"attachment", "hello", ""}, // unpadded base64 is accepted
	}
	for i, tt := range tests {
		a := p.Attachments[i]
		gotURL := ""
		if a.URL != nil {
			gotURL = a.URL.String()
		}
		if a.Filename != tt.filename || string(a.Data) != tt.data || gotURL != tt.url {
			t.Errorf("attachments[%d] = %q %q %q, want %q %q %q", i, a.Filename, a.Data, gotURL, tt.filename, tt.data, tt.url)
		}
	}
}

func TestParseMessage_attachment_only(t *testing.T) {
	p, err := parseMessage([]byte(`{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":"AAEC"}]}`))
	if err != nil {
		t.Fatalf("parseMessage: %v", err)
	}
	if p.Text != "" || len(p.Attachments) != 1 || !p.SentAt.IsZero() {
		t.Errorf("got %+v", p)
	}
}

func TestParseMessage_refusals(t *testing.T) {
	long := strings.Repeat("x", 201)
	tests := []struct{ name, body, reason string }{
		{"empty body", ``, "must be a JSON object"},
		{"array", `[]`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
		{"syntax", `{"id": }`, "invalid JSON at byte"},
		{"truncated", `{"id": "1"`, "truncated JSON"},
		{"trailing data", `{"id":"1","contact":{"id":"c"},"text":"hi"} {}`, "after the JSON object"},
		{"unknown field", `{"id":"1","contact":{"id":"c"},"text":"hi","attachment":[]}`, `unknown field "attachment"`},
		{"unknown contact field", `{"id":"1","contact":{"id":"c","mail":"x"},"text":"hi"}`, `unknown field "mail"`},
		{"wrong type", `{"id":1,"contact":{"id":"c"},"text":"hi"}`, "id must be a string, not number"},
		{"wrong nested type", `{"id":"1","contact":{"id":"c","verified":"yes"},"text":"hi"}`, "contact.verified must be true or false, not string"},
		{"missing id", `{"contact":{"id":"c"},"text":"hi"}`, "id is required"},
		{"blank id", `{"id":"  ","contact":{"id":"c"},"text":"hi"}`, "id is required"},
		{"long id", `{"id":"` + long + `","contact":{"id":"c"},"text":"hi"}`, "id is longer than 200"},
		{"control in id", `{"id":"a\nb","contact":{"id":"c"},"text":"hi"}`, "id contains control"},
		{"missing contact", `{"id":"1","text":"hi"}`, "contact is required"},
		{"missing contact id", `{"id":"1","contact":{"name":"Ann"},"text":"hi"}`, "contact.id is required"},
		{"bad email", `{"id":"1","contact":{"id":"c","email":"Ann <a@b.c>"},"text":"hi"}`, "contact.email"},
		{"no content", `{"id":"1","contact":{"id":"c"}}`, "needs text or at least one attachment"},
		{"blank text", `{"id":"1","contact":{"id":"c"},"text":" \n"}`, "needs text or at least one attachment"},
		{"text too long", `{"id":"1","contact":{"id":"c"},"text":"` + strings.Repeat("a", 64<<10+1) + `"}`, "text is 65537 bytes"},
		{"invalid UTF-8", "{\"id\":\"1\",\"contact\":{\"id\":\"c\"},\"text\":\"\xff\"}", "not valid UTF-8"},
		{"sent_at not RFC 3339", `{"id":"1","contact":{"id":"c"},"text":"hi","sent_at":"01/05/2024"}`, "sent_at"},
		{"url and data", `{"id":"1","contact":{"id":"c"},"attachments":[{"url":"https://x/y","data_base64":"AA=="}]}`, "attachments[0]: give url or data_base64, not both"},
		{"neither url nor data", `{"id":"1","contact":{"id":"c"},"attachments":[{"filename":"a"}]}`, "attachments[0]: url or data_base64 is required"},
		{"ftp url", `{"id":"1","contact":{"id":"c"},"attachments":[{"url":"ftp://x/y"}]}`, "not an absolute http or https URL"},
		{"relative url", `{"id":"1","contact":{"id":"c"},"attachments":[{"url":"/y"}]}`, "not an absolute http or https URL"},
		{"bad base64", `{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":"***"}]}`, "attachments[0]: data_base64 is not standard base64"},
		{"empty base64", `{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":""}]}`, "data_base64 is empty"},
		{"padding only", `{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":"=="}]}`, "data_base64 is empty"},
		{"bad content type", `{"id":"1","contact":{"id":"c"},"attachments":[{"data_base64":"AA==","content_type":"image//"}]}`, "content_type"},
		{"too many attachments", `{"id":"1","contact":{"id":"c"},"attachments":[` + strings.Repeat(`{"data_base64":"AA=="},`, 10) + `{"data_base64":"AA=="}]}`, "11 attachments; the limit is 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMessage([]byte(tt.body))
			if err == nil {
				t.Fatalf("parseMessage succeeded, want error mentioning %q", tt.reason)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to mention %q", err, tt.reason)
			}
			if core.ErrorCode(err) != core.CodeInvalid {
				t.Errorf("code = %q, want %q", core.ErrorCode(err), core.CodeInvalid)
			}
		})
	}
}

// FuzzParseMessage checks that any body either parses into a message the
// hub accepts or is refused with core.CodeInvalid, and never panics. Seeds
// live in testdata/fuzz/FuzzParseMessage.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`{"id":"1","contact":{"id":"c"},"text":"hi"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseMessage(body)
		if err != nil {
			if core.ErrorCode(err) != core.CodeInvalid {
				t.Fatalf("error without CodeInvalid: %v", err)
			}
			return
		}
		switch {
		case strings.TrimSpace(p.ID) == "" || utf8.RuneCountInString(p.ID) > maxIDLen:
			t.Fatalf("accepted id %q", p.ID)
		case strings.TrimSpace(p.Contact.ID) == "":
			t.Fatalf("accepted empty contact id")
		case strings.TrimSpace(p.Text) == "" && len(p.Attachments) == 0:
			t.Fatalf("accepted a message without content")
		case len(p.Text) > maxTextLen || !utf8.ValidString(p.Text):
			t.Fatalf("accepted text of %d bytes, valid UTF-8 %v", len(p.Text), utf8.ValidString(p.Text))
		case len(p.Attachments) > maxAttachments:
			t.Fatalf("accepted %d attachments", len(p.Attachments))
		}
		for i, a := range p.Attachments {
			if (a.URL == nil) == (a.Data == nil) {
				t.Fatalf("attachments[%d]: want exactly one of url and data", i)
			}
			if a.Filename == "" || strings.ContainsAny(a.Filename, `/\`) || len(a.Filename) > core.MaxFilenameLen {
				t.Fatalf("attachments[%d]: filename %q", i, a.Filename)
			}
		}
		// Only valid JSON is accepted.
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}
