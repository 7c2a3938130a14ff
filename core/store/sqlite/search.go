package sqlite

import (
	"strings"
	"unicode"
)

// Bounds on what one search may ask of FTS5.
const (
	maxSearchTerms   = 16
	maxSearchTermLen = 64
)

// ftsQuery turns what a person typed into an FTS5 query that never fails
// to parse: the words of s (runs of letters, digits and marks, as FTS5's
// unicode61 tokenizer sees them), each quoted so none is read as an
// operator, all required, the last one as a prefix so results come while
// typing. Text that looks like a phone number also matches its digits run
// together, as E.164 numbers are stored. It returns "" when s holds no word.
func ftsQuery(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
	})
	if len(words) == 0 {
		return ""
	}
	if len(words) > maxSearchTerms {
		words = words[:maxSearchTerms]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r := []rune(w); len(r) > maxSearchTermLen {
			w = string(r[:maxSearchTermLen])
		}
		b.WriteByte('"')
		b.WriteString(w) // holds no '"': quotes are not letters
		b.WriteByte('"')
	}
	b.WriteByte('*')
	q := b.String()
	if d, ok := phoneDigits(s); ok && len(words) > 1 {
		q = `"` + d + `"* OR (` + q + `)`
	}
	return q
}

// phoneDigits returns the digits of s if s looks like a phone number: at
// least five digits and nothing but digits, spaces and + - . / ( ).
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-./()", r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() >= 5
}
