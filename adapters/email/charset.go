package email

import (
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// charsetReader converts input from the named charset to UTF-8, for the
// charsets the standard library lacks: ISO-8859-x, Windows-125x, Shift_JIS,
// EUC-JP, ISO-2022-JP, GB18030, Big5, KOI8 and the other IANA and WHATWG
// names golang.org/x/text knows. An unknown charset is an error; callers
// then keep the bytes as they are.
//
// It is passed to decoders explicitly: go-message's package-level
// CharsetReader is left alone.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := lookupCharset(label)
	if err != nil {
		return nil, err
	}
	if enc == nil { // UTF-8 or US-ASCII
		return input, nil
	}
	return enc.NewDecoder().Reader(input), nil
}

// lookupCharset returns the encoding of a charset label, or nil for UTF-8
// and US-ASCII, which need no conversion.
func lookupCharset(label string) (encoding.Encoding, error) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968":
		return nil, nil
	}
	enc, err := ianaindex.MIME.Encoding(label)
	if enc == nil || err != nil {
		enc, err = ianaindex.IANA.Encoding(label)
	}
	if enc == nil || err != nil {
		enc, err = htmlindex.Get(label)
	}
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return nil, &unknownCharsetError{label}
	}
	return enc, nil
}

type unknownCharsetError struct{ label string }

func (e *unknownCharsetError) Error() string { return "unsupported charset " + e.label }

// newWordDecoder decodes RFC 2047 encoded words in any charset
// charsetReader knows.
func newWordDecoder() *mime.WordDecoder { return &mime.WordDecoder{CharsetReader: charsetReader} }

// decodeHeader decodes the encoded words of a header value and makes the
// result valid UTF-8. A value that does not decode is kept as written.
func decodeHeader(v string) string {
	d, err := newWordDecoder().DecodeHeader(v)
	if err != nil {
		d = v
	}
	return validUTF8(d)
}

// validUTF8 replaces invalid bytes with U+FFFD; raw 8-bit header bytes in
// an unknown charset end up that way instead of being refused.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// decodeText converts the bytes of a text part in charset label to UTF-8.
// Bytes in an unknown charset are kept, invalid sequences replaced.
func decodeText(b []byte, label string) string {
	enc, err := lookupCharset(label)
	if err != nil || enc == nil {
		return validUTF8(string(b))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return validUTF8(string(b))
	}
	return validUTF8(string(out))
}
