package sms

import (
	"net/url"
	"strings"
	"time"
)

// inboundSMS is a contact's message as either driver's parser reads it,
// before any I/O: media are still URLs.
type inboundSMS struct {
	// ID is the provider's message id (Twilio MessageSid).
	ID string
	// From is the sender in E.164 when it is a phone number (then Phone is
	// set too), else as the provider spelt it.
	From  string
	Phone string
	To    string
	Text  string
	Media []mediaRef
	// Consent and Keyword report STOP/START messages.
	Consent consent
	Keyword string
	// Segments is the text's length in SMS segments, counted here;
	// ProviderSegments is the provider's own count (0 when not given).
	Segments         int
	ProviderSegments int
	SentAt           time.Time
}

// mediaRef is one MMS medium to fetch.
type mediaRef struct {
	URL *url.URL
	// ContentType is what the provider declared; the stored type is
	// sniffed from the bytes.
	ContentType string
}

// Kind is the fixture vocabulary for a medium: image, audio, video or
// file, from its declared type.
func (m mediaRef) Kind() string {
	return mediaKind(m.ContentType)
}

func mediaKind(contentType string) string {
	typ, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), "/")
	switch typ {
	case "image", "audio", "video":
		return typ
	}
	return "file"
}

// statusReport is a provider's delivery report for a message the hub sent.
type statusReport struct {
	// ID is the provider id Send returned.
	ID     string
	Status string // lower-case: queued, sent, delivered, failed, ...
	// To is the recipient in E.164, when the report names it.
	To string
	// ErrorCode and ErrorMessage explain a failure, when given.
	ErrorCode    string
	ErrorMessage string
}

// parseError is a request whose content is not what the provider sends;
// it is answered 400 with its text.
type parseError struct{ reason string }

func (e *parseError) Error() string { return e.reason }

func malformed(reason string) error { return &parseError{reason: reason} }
