package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
)

// ErrMalformed is wrapped by Parse's errors: the mail cannot be read as a
// message from someone (a broken header block, no parseable From).
var ErrMalformed = errors.New("malformed mail")

// Address is a mail address with its decoded display name. Address is
// lower-cased: it identifies the contact.
type Address struct {
	Name    string
	Address string
}

// Mail is an inbound message as the channel understands it. Parse builds it
// from the raw bytes and nothing else.
type Mail struct {
	// MessageID is the Message-ID without angle brackets; for mail without
	// one it is derived from the bytes ("<sha256 prefix>@message-id.invalid")
	// so that fetching it twice still stores it once.
	MessageID string
	From      Address
	To        []Address
	Cc        []Address
	// DeliveredTo lists the Delivered-To and X-Original-To addresses,
	// lower-cased: where the mail was actually delivered.
	DeliveredTo []string
	Subject     string
	// Date is the Date header in UTC; zero when missing or unreadable.
	Date       time.Time
	InReplyTo  string
	References []string
	// Text is the message text: the text/plain body, or text derived from
	// the text/html body when there is no plain one. Lines end in "\n".
	Text string
	// TextWithoutQuote is Text without the quoted history of a reply
	// ("On ... wrote:" and the quoted lines after it).
	TextWithoutQuote string
	// HTML is the text/html body, sanitised for display: no scripts,
	// styles, event handlers or remote resources.
	HTML string
	// Attachments are the parts that are neither the body nor its HTML
	// alternative nor parts of a delivery report, in message order.
	Attachments []Part
	// Report is the delivery status notification a bounce carries.
	Report *DeliveryReport
	// Headers that mark automatic mail.
	AutoSubmitted   string // Auto-Submitted value, lower-cased
	AutoReplyHeader bool   // X-Autoreply or X-Autorespond present
	Precedence      string // lower-cased
	ListID          string
	ReturnPathNull  bool // Return-Path: <> (the null sender of bounces)
	// ContentType is the top-level media type and ReportType its
	// report-type parameter ("delivery-status").
	ContentType string
	ReportType  string
	// Size is the length of the raw message in bytes.
	Size int
}

// Part is an attachment or inline image.
type Part struct {
	Filename string
	// MIMEType is the type the MIME header declares; the hub stores the
	// type sniffed from Data.
	MIMEType string
	Data     []byte
	// Inline parts are shown within the HTML body (Content-Disposition
	// inline, or a Content-ID referenced as cid:).
	Inline    bool
	ContentID string // without angle brackets
}

// Parse reads one raw RFC 5322 message. It fails, wrapping ErrMalformed, only
// when the header block is unreadable or there is no parseable From address;
// unknown charsets and transfer encodings are tolerated (the bytes are kept),
// and broken MIME structure keeps what was read before the break.
func Parse(raw []byte) (*Mail, error) {
	e, readErr := message.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, readErr)
	}
	h := e.Header
	m := &Mail{Size: len(raw)}
	from, err := parseFrom(h.Get("From"))
	if err != nil {
		return nil, fmt.Errorf("%w: from: %v", ErrMalformed, err)
	}
	m.From = from
	m.To = parseAddressList(h.Get("To"))
	m.Cc = parseAddressList(h.Get("Cc"))
	for _, k := range []string{"Delivered-To", "X-Original-To"} {
		for _, v := range h.Values(k) {
			if a := bareAddress(v); a != "" {
				m.DeliveredTo = append(m.DeliveredTo, a)
			}
		}
	}
	m.Subject = strings.TrimSpace(decodeHeader(h.Get("Subject")))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d.UTC()
	}
	m.MessageID = firstID(h.Get("Message-Id"))
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = hex.EncodeToString(sum[:12]) + "@message-id.invalid"
	}
	m.InReplyTo = firstID(h.Get("In-Reply-To"))
	m.References = idList(h.Get("References"))
	m.AutoSubmitted = strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted")))
	m.AutoReplyHeader = h.Has("X-Autoreply") || h.Has("X-Autorespond")
	m.Precedence = strings.ToLower(strings.TrimSpace(h.Get("Precedence")))
	m.ListID = strings.TrimSpace(decodeHeader(h.Get("List-Id")))
	if h.Has("Return-Path") {
		m.ReturnPathNull = strings.TrimSpace(stripComments(h.Get("Return-Path"))) == "<>"
	}
	mt, params, _ := h.ContentType()
	m.ContentType, m.ReportType = mt, strings.ToLower(params["report-type"])
	readBody(m, e, readErr)
	return m, nil
}

// parseFrom returns the first address of a From header. Besides RFC 5322 it
// accepts the common breakage of an unquoted display name with specials
// ("Doe, Jane <jane@example.com>") when the angle-bracketed address itself
// is sound.
func parseFrom(v string) (Address, error) {
	if strings.TrimSpace(v) == "" {
		return Address{}, errors.New("no From header")
	}
	p := mail.AddressParser{WordDecoder: newWordDecoder()}
	if list, err := p.ParseList(v); err == nil && len(list) > 0 {
		return toAddress(list[0]), nil
	} else if open, end := strings.LastIndexByte(v, '<'), strings.LastIndexByte(v, '>'); open >= 0 && end > open {
		a, aerr := mail.ParseAddress(v[open : end+1])
		if aerr == nil {
			name := strings.Trim(strings.TrimSpace(v[:open]), `"`)
			return Address{Name: decodeHeader(name), Address: strings.ToLower(a.Address)}, nil
		}
		return Address{}, err
	} else {
		return Address{}, err
	}
}

// parseAddressList parses an address header leniently: an unparseable list
// yields the addresses that can be read one by one.
func parseAddressList(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: newWordDecoder()}
	list, err := p.ParseList(v)
	if err != nil {
		list = nil
		for _, s := range strings.Split(v, ",") {
			if a, err := p.Parse(s); err == nil {
				list = append(list, a)
			}
		}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, toAddress(a))
	}
	return out
}

func toAddress(a *mail.Address) Address {
	return Address{Name: validUTF8(strings.TrimSpace(a.Name)), Address: strings.ToLower(a.Address)}
}

// bareAddress returns the lower-cased address of a header such as
// Delivered-To, or "".
func bareAddress(v string) string {
	a, err := mail.ParseAddress(strings.TrimSpace(v))
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}

// firstID returns the first message id of a header value, without angle
// brackets: the first <...> token, or the value itself when it has none.
func firstID(v string) string {
	ids := idList(v)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// idList returns the message ids of a References-like header in order: the
// <...> tokens, or the whitespace-separated words when there are none.
func idList(v string) []string {
	v = stripComments(v)
	var ids []string
	for {
		open := strings.IndexByte(v, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(v[open:], '>')
		if end < 0 {
			break
		}
		if id := cleanID(v[open+1 : open+end]); id != "" {
			ids = append(ids, id)
		}
		v = v[open+end+1:]
	}
	if ids == nil {
		for _, w := range strings.Fields(v) {
			if id := cleanID(w); strings.Contains(id, "@") {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// cleanID trims a message id and keeps it only if it is printable ASCII of
// sane length.
func cleanID(id string) string {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 250 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' || id[i] == '<' || id[i] == '>' {
			return ""
		}
	}
	return id
}

// stripComments removes RFC 5322 (comments), which may nest.
func stripComments(v string) string {
	if !strings.Contains(v, "(") {
		return v
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (depth > 0 || quoted):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
			continue
		case c == ')' && !quoted && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}
