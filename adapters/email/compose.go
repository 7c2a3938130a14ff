package email

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// outgoing is one mail the channel sends.
type outgoing struct {
	From       *mail.Address
	To         []*mail.Address
	ReplyTo    string
	Subject    string
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	Date       time.Time
	Text       string
	// HTML is the HTML alternative; empty derives one from Text.
	HTML  string
	Files []file
	// Auto marks mail no person wrote (transcripts, codes): RFC 3834
	// Auto-Submitted, so that vacation responders stay silent.
	Auto bool
}

// file is an attachment's name, type and bytes.
type file struct {
	Name     string
	MIMEType string
	Data     []byte
}

// bytes renders the mail: multipart/alternative text and HTML, inside
// multipart/mixed when there are files.
func (o outgoing) bytes() ([]byte, error) {
	var h mail.Header
	h.Set("MIME-Version", "1.0")
	h.SetDate(o.Date)
	h.SetAddressList("From", []*mail.Address{o.From})
	h.SetAddressList("To", o.To)
	if rt, err := mail.ParseAddress(o.ReplyTo); err == nil && o.ReplyTo != "" {
		h.SetAddressList("Reply-To", []*mail.Address{rt})
	}
	h.SetSubject(o.Subject)
	h.SetMessageID(o.MessageID)
	if o.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{o.InReplyTo})
	}
	h.SetMsgIDList("References", o.References)
	if o.Auto {
		h.Set("Auto-Submitted", "auto-generated")
		h.Set("X-Auto-Response-Suppress", "All")
	}
	htmlBody := o.HTML
	if htmlBody == "" {
		htmlBody = textToHTML(o.Text)
	}
	var buf bytes.Buffer
	if len(o.Files) == 0 {
		w, err := mail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if err := writeAlternatives(w, o.Text, htmlBody); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	alt, err := w.CreateInline()
	if err != nil {
		return nil, err
	}
	if err := writeAlternatives(alt, o.Text, htmlBody); err != nil {
		return nil, err
	}
	for _, f := range o.Files {
		var ah mail.AttachmentHeader
		ah.Set("Content-Type", f.MIMEType)
		ah.SetFilename(f.Name)
		pw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		if err := writeClose(pw, f.Data); err != nil {
			return nil, fmt.Errorf("attachment %s: %w", f.Name, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeAlternatives(w *mail.InlineWriter, text, htmlBody string) error {
	for _, p := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", htmlBody}} {
		var ih mail.InlineHeader
		ih.Set("Content-Type", p.typ+"; charset=utf-8")
		pw, err := w.CreatePart(ih)
		if err != nil {
			return err
		}
		if err := writeClose(pw, []byte(crlf(p.body))); err != nil {
			return err
		}
	}
	return w.Close()
}

func writeClose(w io.WriteCloser, b []byte) error {
	if _, err := w.Write(b); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// crlf gives text the line ends mail requires.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

var webAddress = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]]`)

// textToHTML renders an operator's plain text as simple HTML: escaped,
// paragraphs and line breaks kept, web addresses linked.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(linkify(line))
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range webAddress.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:m[0]]))
		u := html.EscapeString(line[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
