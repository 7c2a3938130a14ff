package email

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzParse feeds arbitrary bytes to the MIME parser and the threading and
// filtering built on it. Seeds: every fixture mail (and the corpus in
// testdata/fuzz/FuzzParse, made from them).
func FuzzParse(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(readFixture(f, c.File))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		for name, s := range map[string]string{"text": m.Text, "subject": m.Subject, "name": m.From.Name, "html": m.HTML, "quote": m.TextWithoutQuote} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if m.MessageID == "" || m.From.Address == "" || m.From.Address != strings.ToLower(m.From.Address) {
			t.Errorf("id %q, from %q: want an id and a lower-case address", m.MessageID, m.From.Address)
		}
		if !strings.HasPrefix(m.Text, m.TextWithoutQuote) {
			t.Errorf("text without quote %q is not a prefix of %q", m.TextWithoutQuote, m.Text)
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") {
			t.Errorf("sanitised HTML holds a script: %q", m.HTML)
		}
		total := 0
		for _, p := range m.Attachments {
			total += len(p.Data)
			if p.Filename == "" {
				t.Error("an attachment without a name")
			}
		}
		if total > len(raw) {
			t.Errorf("attachments hold %d bytes, more than the %d-byte mail", total, len(raw))
		}
		th := ThreadOf(m, hubDomain)
		if th.Key == "" || (th.HubMessageID != "" && !onDomain(th.HubMessageID, hubDomain)) {
			t.Errorf("thread = %+v", th)
		}
		if ids := th.candidates(); len(ids) > 20 {
			t.Errorf("%d candidates", len(ids))
		}
		_ = Classify(m, []string{"@example.com"})
		_ = NormaliseSubject(m.Subject)
	})
}

// FuzzSanitizeHTML checks that whatever comes in, only allowed elements,
// attributes and URL schemes come out.
func FuzzSanitizeHTML(f *testing.F) {
	f.Add(`<p onclick="x()">Hi <a href="javascript:alert(1)">x</a><img src="https://t.example/p.gif"></p>`)
	f.Add(`<svg><script>alert(1)</script></svg><style>p{}</style><b>ok</b>`)
	f.Add(`<a href="https://example.com/?a=1&b=2" title="t">link</a><img src="cid:x@y">`)
	f.Add(`<<script>script>alert(1)<</script>/script>`)
	f.Fuzz(func(t *testing.T, in string) {
		out := sanitizeHTML(in)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			attrs, ok := allowed[tok.Data]
			if !ok {
				t.Fatalf("element %q in %q", tok.Data, out)
			}
			for _, a := range tok.Attr {
				if a.Key == "rel" || a.Key == "target" {
					continue
				}
				if !slices.Contains(attrs, a.Key) {
					t.Fatalf("attribute %s on %s in %q", a.Key, tok.Data, out)
				}
				if (a.Key == "href" && !safeURL(a.Val, "http", "https", "mailto")) || (a.Key == "src" && !safeURL(a.Val, "cid")) {
					t.Fatalf("unsafe %s=%q in %q", a.Key, a.Val, out)
				}
			}
		}
		if utf8.ValidString(in) && !utf8.ValidString(htmlToText(in)) {
			t.Fatal("htmlToText made invalid UTF-8")
		}
	})
}

// FuzzDeliveryStatus feeds arbitrary message/delivery-status bodies.
func FuzzDeliveryStatus(f *testing.F) {
	f.Add([]byte("Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; s.nakamura@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n    in virtual mailbox table\r\n"))
	f.Add([]byte("Final-Recipient: rfc822;a@example.com\nAction: delayed\nStatus: 4.4.1\n\nOriginal-Recipient: rfc822;b@example.com\nStatus: 5.0.0\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var r DeliveryReport
		r.addStatus(body)
		if len(r.Recipients) > 100 {
			t.Fatalf("%d recipients kept", len(r.Recipients))
		}
		if s, ok := r.Failure(); ok && s.Action != "failed" && !strings.HasPrefix(s.Status, "5") {
			t.Fatalf("failure %+v is neither failed nor 5.x.x", s)
		}
		_ = headerMessageID(body)
	})
}
