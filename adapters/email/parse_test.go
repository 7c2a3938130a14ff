package email

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestParse_reads_every_fixture_as_the_manifest_says checks the pure parser
// on its own against the manifest keys it decides (the IMAP test checks the
// rest through the hub).
func TestParse_reads_every_fixture_as_the_manifest_says(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(strings.TrimSuffix(c.File, ".eml"), func(t *testing.T) {
			m, err := Parse(readFixture(t, c.File))
			outcome := decode[string](t, "outcome", c.Expect["outcome"])
			if outcome == ResultRejected {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if raw, ok := c.Expect["external_message_id"]; ok && m.MessageID != decode[string](t, "id", raw) {
				t.Errorf("message id = %q, want %s", m.MessageID, raw)
			}
			if raw, ok := c.Expect["subject"]; ok && m.Subject != decode[string](t, "subject", raw) {
				t.Errorf("subject = %q, want %s", m.Subject, raw)
			}
			if raw, ok := c.Expect["contact"]; ok {
				want := decode[map[string]string](t, "contact", raw)
				if m.From.Address != want["external_id"] || m.From.Name != want["display_name"] {
					t.Errorf("from = %+v, want %v", m.From, want)
				}
			}
			text := c.Expect["raw_text"] // before masking, as the parser sees it
			if text == nil {
				text = c.Expect["text"]
			}
			if text != nil && fixtureText(m.Text) != decode[string](t, "text", text) {
				t.Errorf("text = %q, want %s", m.Text, text)
			}
			if raw, ok := c.Expect["attachments"]; ok {
				want := decode[[]map[string]any](t, "attachments", raw)
				if len(m.Attachments) != len(want) {
					t.Fatalf("%d attachments, want %d", len(m.Attachments), len(want))
				}
				for i, w := range want {
					p := m.Attachments[i]
					got := map[string]any{"filename": p.Filename, "mime_type": p.MIMEType, "size": float64(len(p.Data)), "inline": p.Inline, "content_id": p.ContentID}
					for k, v := range w {
						if fmt.Sprint(got[k]) != fmt.Sprint(v) {
							t.Errorf("attachments[%d].%s = %v, want %v", i, k, got[k], v)
						}
					}
				}
			}
			reason := Classify(m, nil)
			if raw, ok := c.Expect["filter_reason"]; ok {
				if want := decode[string](t, "filter_reason", raw); reason != want {
					t.Errorf("filter reason = %q, want %q", reason, want)
				}
			} else if reason != "" {
				t.Errorf("filtered as %q, want a customer message", reason)
			}
			if raw, ok := c.Expect["thread"]; ok {
				var want struct {
					IsReply      bool     `json:"is_reply"`
					InReplyTo    string   `json:"in_reply_to"`
					References   []string `json:"references"`
					ThreadKey    string   `json:"thread_key"`
					HubMessageID string   `json:"hub_message_id"`
				}
				_ = json.Unmarshal(raw, &want)
				th := ThreadOf(m, hubDomain)
				if th.IsReply != want.IsReply || th.InReplyTo != want.InReplyTo || th.Key != want.ThreadKey ||
					th.HubMessageID != want.HubMessageID || fmt.Sprint(th.References) != fmt.Sprint(want.References) && want.References != nil {
					t.Errorf("thread = %+v, want %+v", th, want)
				}
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func mustEncode(t *testing.T, enc encoding.Encoding, s string) string {
	t.Helper()
	b, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse_decodes_charsets_the_standard_library_lacks(t *testing.T) {
	tests := []struct {
		charset string
		enc     encoding.Encoding
		text    string
	}{
		{"Shift_JIS", japanese.ShiftJIS, "ご注文ありがとうございます"},
		{"EUC-JP", japanese.EUCJP, "配送状況"},
		{"ISO-2022-JP", japanese.ISO2022JP, "山田 花子"},
		{"ISO-8859-15", charmap.ISO8859_15, "Prix : 24,90 €"},
		{"windows-1251", charmap.Windows1251, "Здравствуйте"},
		{"KOI8-R", charmap.KOI8R, "Спасибо"},
		{"windows-1250", charmap.Windows1250, "Dziękuję, Łódź"},
		{"EUC-KR", korean.EUCKR, "감사합니다"},
		{"GBK", simplifiedchinese.GBK, "谢谢你的帮助"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			body := mustEncode(t, tt.enc, tt.text)
			raw := "From: =?" + tt.charset + "?B?" + b64(mustEncode(t, tt.enc, tt.text)) + "?= <a@example.com>\r\n" +
				"Subject: =?" + tt.charset + "?B?" + b64(mustEncode(t, tt.enc, tt.text)) + "?=\r\n" +
				"Content-Type: text/plain; charset=\"" + tt.charset + "\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != tt.text || m.Subject != tt.text || m.From.Name != tt.text {
				t.Errorf("text %q, subject %q, name %q; want %q", m.Text, m.Subject, m.From.Name, tt.text)
			}
		})
	}
}

func TestParse_tolerates_unknown_charsets_and_encodings(t *testing.T) {
	raw := "From: a@example.com\r\nSubject: =?x-unknown?Q?caf=E9?=\r\nContent-Type: text/plain; charset=x-unknown\r\n" +
		"Content-Transfer-Encoding: x-uuencode\r\n\r\nplain ascii survives \xff\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "plain ascii survives \uFFFD" {
		t.Errorf("text = %q", m.Text)
	}
	if m.Subject == "" || strings.ContainsRune(m.Subject, 0) {
		t.Errorf("subject = %q, want the raw words kept", m.Subject)
	}
}

func TestParse_attachment_names_in_RFC2231_and_RFC2047(t *testing.T) {
	part := func(disposition string) string {
		return "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: " + disposition + "\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
	}
	raw := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		part(`attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`) +
		part("attachment;\r\n filename*0*=UTF-8''%E2%82%AC-;\r\n filename*1=receipt.pdf") +
		part(`attachment; filename="=?UTF-8?B?0YHRh9C10YIucGRm?="`) +
		part(`attachment; filename="../../etc/passwd"`) +
		part("attachment") +
		"--b--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Rechnung März.pdf", "€-receipt.pdf", "счет.pdf", "../../etc/passwd", "attachment-5.pdf"}
	if len(m.Attachments) != len(want) {
		t.Fatalf("%d attachments, want %d", len(m.Attachments), len(want))
	}
	for i, w := range want {
		if got := m.Attachments[i].Filename; got != w {
			t.Errorf("attachments[%d] = %q, want %q", i, got, w)
		}
	}
	if m.Text != "see attached" {
		t.Errorf("text = %q", m.Text)
	}
}

func TestParse_from_header_leniency_and_limits(t *testing.T) {
	tests := []struct {
		from     string
		wantAddr string
		wantName string
	}{
		{"Dana Whitfield <Dana@Example.ORG>", "dana@example.org", "Dana Whitfield"},
		{"<dana@example.org>", "dana@example.org", ""},
		{"dana@example.org (Dana W.)", "dana@example.org", "Dana W."},
		{"Doe, Jane <jane@example.com>", "jane@example.com", "Doe, Jane"},
		{`"Jane" <jane@example.com>, other@example.com`, "jane@example.com", "Jane"},
		{"no address at all", "", ""},
		{"", "", ""},
		{"henrik@@example..com", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			m, err := Parse([]byte("From: " + tt.from + "\r\nSubject: x\r\n\r\nbody\r\n"))
			if tt.wantAddr == "" {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.From.Address != tt.wantAddr || m.From.Name != tt.wantName {
				t.Errorf("from = %+v, want %s %q", m.From, tt.wantAddr, tt.wantName)
			}
		})
	}
}

func TestParse_mail_without_Message_ID_gets_one_from_its_bytes(t *testing.T) {
	a := []byte("From: a@example.com\r\n\r\none\r\n")
	b := []byte("From: a@example.com\r\n\r\ntwo\r\n")
	ma, _ := Parse(a)
	ma2, _ := Parse(a)
	mb, _ := Parse(b)
	if ma.MessageID == "" || ma.MessageID != ma2.MessageID || ma.MessageID == mb.MessageID || !strings.HasSuffix(ma.MessageID, "@message-id.invalid") {
		t.Errorf("ids %q, %q, %q: want stable per content, distinct across", ma.MessageID, ma2.MessageID, mb.MessageID)
	}
}

func TestParse_structure(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		text  string
		files []string
	}{
		{"format=flowed joins soft breaks",
			"From: a@example.com\r\nContent-Type: text/plain; format=flowed; delsp=yes\r\n\r\nThis is a lo \r\nng line.\r\nNext.\r\n-- \r\nSig\r\n",
			"This is a long line.\nNext.\n-- \nSig", nil},
		{"forwarded mail is a file",
			"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nSubject: old\r\n\r\nold text\r\n--b--\r\n",
			"FYI", []string{"attachment-1.eml"}},
		{"plain parts around an image are joined",
			"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbefore\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n\r\nPNG\r\n--b\r\nContent-Type: text/plain\r\n\r\nafter\r\n--b--\r\n",
			"before\n\nafter", []string{"attachment-1.png"}},
		{"no Content-Type is text",
			"From: a@example.com\r\n\r\nhello\r\n", "hello", nil},
		{"an unterminated multipart keeps what was read",
			"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nkept\r\n--b\r\nContent-Type: text/plain\r\n\r\n",
			"kept", nil},
		{"empty mail is empty text",
			"From: a@example.com\r\n\r\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != tt.text {
				t.Errorf("text = %q, want %q", m.Text, tt.text)
			}
			var files []string
			for _, p := range m.Attachments {
				files = append(files, p.Filename)
			}
			if fmt.Sprint(files) != fmt.Sprint(tt.files) {
				t.Errorf("files = %v, want %v", files, tt.files)
			}
		})
	}
}

func TestParse_bounds_hostile_nesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\n")
	for i := range 200 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
	if _, err := Parse([]byte(b.String())); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}
