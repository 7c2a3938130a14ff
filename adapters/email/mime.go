package email

import (
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
)

// Bounds on the MIME tree, so hostile nesting costs nothing.
const (
	maxParts = 500
	maxDepth = 20
)

// bodyReader walks a message's MIME tree: it picks the body text and its
// HTML alternative, reads a delivery report, and collects the rest as
// attachments.
type bodyReader struct {
	m     *Mail
	plain []string
	html  []string
	parts int
}

func readBody(m *Mail, e *message.Entity, err error) {
	b := &bodyReader{m: m}
	b.walk(e, err, 0, "")
	for i, p := range b.plain {
		b.plain[i] = strings.TrimRight(p, "\r\n")
	}
	text := strings.Join(b.plain, "\n\n") // parts split around inline images
	html := strings.Join(b.html, "\n")
	if strings.TrimSpace(text) == "" && html != "" {
		text = htmlToText(html)
	}
	m.Text = normaliseText(text)
	m.TextWithoutQuote = stripQuote(m.Text)
	if html != "" {
		m.HTML = sanitizeHTML(html)
	}
}

// walk visits entity e, a child of a part of type parent; err is what
// go-message reported reading e's header (an unknown charset, say).
func (b *bodyReader) walk(e *message.Entity, err error, depth int, parent string) {
	b.parts++
	if b.parts > maxParts || depth > maxDepth {
		return
	}
	mt, params := contentType(e.Header)
	disp, dparams, _ := e.Header.ContentDisposition()
	disp = strings.ToLower(disp)
	name := partFilename(dparams, params)
	isFile := disp == "attachment" || name != ""
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		b.walkMultipart(e, depth, mt)
	case parent == "multipart/report" && isStatusType(mt):
		b.report().addStatus(readAll(e.Body))
	case parent == "multipart/report" && isHeadersType(mt):
		if id := headerMessageID(readAll(e.Body)); id != "" {
			b.report().OriginalMessageID = id
		}
	case mt == "text/plain" && !isFile:
		if parent == "multipart/alternative" && len(b.plain) > 0 {
			return // a second plain alternative adds nothing
		}
		b.plain = append(b.plain, partText(e, err, params))
	case mt == "text/html" && !isFile:
		if parent == "multipart/alternative" && len(b.html) > 0 {
			return
		}
		b.html = append(b.html, partText(e, err, params))
	default:
		b.attach(e, mt, disp, name)
	}
}

func (b *bodyReader) walkMultipart(e *message.Entity, depth int, mt string) {
	mr := e.MultipartReader()
	if mr == nil {
		return
	}
	for {
		p, err := mr.NextPart()
		if p == nil {
			return // io.EOF, or broken structure: keep what was read
		}
		b.walk(p, err, depth+1, mt)
		if b.parts > maxParts {
			return
		}
	}
}

func (b *bodyReader) attach(e *message.Entity, mt, disp, name string) {
	data := readAll(e.Body)
	if len(data) == 0 {
		return
	}
	cid := cleanID(strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>"))
	if name == "" {
		name = fallbackFilename(mt, len(b.m.Attachments)+1)
	}
	b.m.Attachments = append(b.m.Attachments, Part{
		Filename:  name,
		MIMEType:  mt,
		Data:      data,
		Inline:    disp == "inline" || (disp == "" && cid != ""),
		ContentID: cid,
	})
}

func (b *bodyReader) report() *DeliveryReport {
	if b.m.Report == nil {
		b.m.Report = &DeliveryReport{}
	}
	return b.m.Report
}

// contentType returns a part's media type, lower-cased, and parameters.
// A part without Content-Type is text/plain (RFC 2045 §5.2); one whose
// Content-Type cannot be read is treated as opaque bytes.
func contentType(h message.Header) (string, map[string]string) {
	if !h.Has("Content-Type") {
		return "text/plain", map[string]string{}
	}
	mt, params, err := h.ContentType()
	if err != nil || mt == "" {
		if mt != "" && strings.Contains(mt, "/") {
			return strings.ToLower(mt), map[string]string{}
		}
		return "application/octet-stream", map[string]string{}
	}
	return strings.ToLower(mt), params
}

// partText decodes a text part: its transfer encoding (go-message did),
// its charset (go-message did unless it reported the charset unknown), and
// format=flowed soft line breaks.
func partText(e *message.Entity, err error, params map[string]string) string {
	data := readAll(e.Body)
	var s string
	if message.IsUnknownCharset(err) {
		s = decodeText(data, params["charset"])
	} else {
		s = validUTF8(string(data))
	}
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	return s
}

func readAll(r io.Reader) []byte {
	data, _ := io.ReadAll(r) // a broken encoding keeps what decoded
	return data
}

// partFilename is the attachment's name: Content-Disposition filename, else
// Content-Type name (RFC 2231 parameters are decoded by mime.ParseMediaType;
// RFC 2047 words, which many clients put there, are decoded here).
func partFilename(dparams, params map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name == "" {
		return ""
	}
	return decodeHeader(name)
}

// fallbackFilename names an attachment that has no name.
func fallbackFilename(mt string, n int) string {
	ext := ""
	switch mt {
	case "message/rfc822":
		ext = ".eml"
	case "text/plain":
		ext = ".txt"
	default:
		if exts, err := mime.ExtensionsByType(mt); err == nil && len(exts) > 0 {
			ext = exts[0]
		}
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

func isStatusType(mt string) bool {
	return mt == "message/delivery-status" || mt == "message/global-delivery-status"
}

func isHeadersType(mt string) bool {
	switch mt {
	case "text/rfc822-headers", "message/rfc822", "message/rfc822-headers", "message/global", "message/global-headers":
		return true
	}
	return false
}

// normaliseText gives text "\n" line ends, no NUL bytes and no trailing
// whitespace.
func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimRight(s, " \t\n\u00a0")
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a
// line ending in a space continues on the next one, unless it is the
// signature separator "-- ". With delsp, that space is removed.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if strings.HasPrefix(l, " ") { // space-stuffed
			l = l[1:]
		}
		soft := strings.HasSuffix(l, " ") && l != "-- " && i < len(lines)-1
		if soft && delsp {
			l = l[:len(l)-1]
		}
		b.WriteString(l)
		if !soft && i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
