package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// Limits and defaults of an inbound message.
const (
	maxIDLen          = 200      // id and contact.id, in characters
	maxTextLen        = 64 << 10 // text, in bytes (core.Hub refuses more)
	maxAttachments    = 10
	maxNameLen        = 200 // contact.name, in characters
	maxEmailLen       = 254
	maxPhoneLen       = 64
	defaultAttachment = "attachment"
)

// wireMessage is the JSON body of POST /api/v1/channels/{name}/messages.
// Pointers tell an absent field from an empty one where that matters.
type wireMessage struct {
	ID          string           `json:"id"`
	Contact     *wireContact     `json:"contact"`
	Text        string           `json:"text"`
	Attachments []wireAttachment `json:"attachments"`
	SentAt      string           `json:"sent_at"`
}

type wireContact struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Verified bool   `json:"verified"`
}

type wireAttachment struct {
	URL         *string `json:"url"`
	DataBase64  *string `json:"data_base64"`
	Filename    string  `json:"filename"`
	ContentType string  `json:"content_type"`
}

// payload is a validated inbound message, ready for its attachments to be
// stored.
type payload struct {
	ID          string
	Contact     core.ContactRef
	Text        string
	Attachments []attachmentSpec
	SentAt      time.Time // zero when the sender gave none
}

// attachmentSpec is one attachment to store: exactly one of URL and Data is
// set.
type attachmentSpec struct {
	URL      *url.URL
	Data     []byte
	Filename string
	// ContentType is what the sender declared. It is only a hint: the type
	// sniffed from the bytes is the one stored.
	ContentType string
}

// parseMessage decodes and validates an inbound message body. It is pure:
// no I/O, no clock. Unknown fields are refused, naming the field, so that a
// sender's typo ("attachment") does not silently drop data. Every error
// carries core.CodeInvalid and a reason fit to return to the sender.
func parseMessage(body []byte) (payload, error) {
	if !utf8.Valid(body) {
		return payload{}, core.Invalidf("body is not valid UTF-8")
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return payload{}, core.Invalidf("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var w wireMessage
	if err := dec.Decode(&w); err != nil {
		return payload{}, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return payload{}, core.Invalidf("unexpected data after the JSON object")
	}
	return w.validate()
}

func (w *wireMessage) validate() (payload, error) {
	p := payload{ID: w.ID, Text: w.Text}
	if err := checkID("id", w.ID); err != nil {
		return payload{}, err
	}
	if w.Contact == nil {
		return payload{}, core.Invalidf("contact is required")
	}
	c, err := w.Contact.validate()
	if err != nil {
		return payload{}, err
	}
	p.Contact = c
	if len(w.Text) > maxTextLen {
		return payload{}, core.Invalidf("text is %d bytes; the limit is %d", len(w.Text), maxTextLen)
	}
	if strings.TrimSpace(w.Text) == "" && len(w.Attachments) == 0 {
		return payload{}, core.Invalidf("a message needs text or at least one attachment")
	}
	if w.SentAt != "" {
		t, err := time.Parse(time.RFC3339Nano, w.SentAt)
		if err != nil {
			return payload{}, core.Invalidf("sent_at %q is not an RFC 3339 time such as 2024-05-01T12:00:00Z", clip(w.SentAt, 40))
		}
		p.SentAt = t
	}
	if len(w.Attachments) > maxAttachments {
		return payload{}, core.Invalidf("%d attachments; the limit is %d", len(w.Attachments), maxAttachments)
	}
	for i, a := range w.Attachments {
		spec, err := a.validate()
		if err != nil {
			return payload{}, core.Invalidf("attachments[%d]: %s", i, err.Error())
		}
		p.Attachments = append(p.Attachments, spec)
	}
	return p, nil
}

func (c *wireContact) validate() (core.ContactRef, error) {
	if err := checkID("contact.id", c.ID); err != nil {
		return core.ContactRef{}, err
	}
	if utf8.RuneCountInString(c.Name) > maxNameLen {
		return core.ContactRef{}, core.Invalidf("contact.name is longer than %d characters", maxNameLen)
	}
	if c.Email != "" {
		if len(c.Email) > maxEmailLen {
			return core.ContactRef{}, core.Invalidf("contact.email is longer than %d bytes", maxEmailLen)
		}
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return core.ContactRef{}, core.Invalidf("contact.email %q is not an email address", clip(c.Email, 60))
		}
	}
	if len(c.Phone) > maxPhoneLen {
		return core.ContactRef{}, core.Invalidf("contact.phone is longer than %d bytes", maxPhoneLen)
	}
	return core.ContactRef{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Verified: c.Verified}, nil
}

func (a wireAttachment) validate() (attachmentSpec, error) {
	spec := attachmentSpec{ContentType: a.ContentType}
	if a.ContentType != "" {
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return spec, fmt.Errorf("content_type %q is not a MIME type", clip(a.ContentType, 60))
		}
	}
	switch {
	case a.URL != nil && a.DataBase64 != nil:
		return spec, errors.New("give url or data_base64, not both")
	case a.URL != nil:
		u, err := url.Parse(*a.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return spec, fmt.Errorf("url %q is not an absolute http or https URL", clip(*a.URL, 100))
		}
		spec.URL = u
	case a.DataBase64 != nil:
		data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(*a.DataBase64, "="))
		if err != nil {
			return spec, fmt.Errorf("data_base64 is not standard base64: %w", err)
		}
		if len(data) == 0 {
			return spec, errors.New("data_base64 is empty")
		}
		spec.Data = data
	default:
		return spec, errors.New("url or data_base64 is required")
	}
	spec.Filename = core.CleanFilename(a.Filename)
	if spec.Filename == "" && spec.URL != nil {
		spec.Filename = core.CleanFilename(path.Base(spec.URL.Path))
	}
	if spec.Filename == "" {
		spec.Filename = defaultAttachment
	}
	return spec, nil
}

func checkID(field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return core.Invalidf("%s is required", field)
	case utf8.RuneCountInString(v) > maxIDLen:
		return core.Invalidf("%s is longer than %d characters", field, maxIDLen)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return core.Invalidf("%s contains control characters", field)
	}
	return nil
}

// jsonError rewords encoding/json errors for the sender: which field, what
// was expected, where the syntax broke.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return core.Invalidf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return core.Invalidf("body must be a JSON object, not %s", typ.Value)
		}
		return core.Invalidf("%s must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return core.Invalidf("truncated JSON")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return core.Invalidf("unknown field %s", f)
	}
	return core.Invalidf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "ptr":
		return "an object"
	}
	return k
}
