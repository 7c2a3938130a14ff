package telegram

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Telegram's length limits, in UTF-16 code units (what the Bot API counts).
const (
	MaxTextLen    = 4096
	MaxCaptionLen = 1024
)

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// splitText cuts s into parts of at most limit UTF-16 code units, in order,
// so that joining them gives s back. A cut falls after the last line break
// in the second half of a part, else after its last space, else between
// two characters; never inside a surrogate pair, before a combining mark,
// or around a zero-width joiner, so emoji and accented letters stay whole.
func splitText(s string, limit int) []string {
	if utf16Len(s) <= limit {
		return []string{s}
	}
	var parts []string
	for s != "" {
		end := prefixLen(s, limit)
		if end == len(s) {
			parts = append(parts, s)
			break
		}
		cut := bestCut(s, end)
		if cut == 0 {
			cut = end // one cluster longer than limit: cut it anyway
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return parts
}

// prefixLen is the byte length of the longest prefix of s that has at
// most limit UTF-16 code units.
func prefixLen(s string, limit int) int {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > limit {
			return i
		}
	}
	return len(s)
}

// bestCut returns where to end a part of s that must end at or before
// end, preferring line breaks, then spaces, in the second half.
func bestCut(s string, end int) int {
	p, half := s[:end], end/2
	if i := strings.LastIndexByte(p, '\n'); i >= half {
		return i + 1
	}
	if i := strings.LastIndexFunc(p, unicode.IsSpace); i >= half {
		_, size := utf8.DecodeRuneInString(p[i:])
		return i + size
	}
	for end > 0 {
		next, _ := utf8.DecodeRuneInString(s[end:])
		prev, size := utf8.DecodeLastRuneInString(s[:end])
		if !joins(prev, next) {
			return end
		}
		end -= size
	}
	return 0
}

// joins reports whether a cut between prev and next would split one
// user-perceived character.
func joins(prev, next rune) bool {
	return prev == '\u200d' || next == '\u200d' ||
		unicode.In(next, unicode.Mn, unicode.Me, unicode.Mc) ||
		next == '\ufe0f' || next == '\ufe0e' ||
		(next >= 0x1f3fb && next <= 0x1f3ff) || // skin tone modifiers
		(next >= 0xe0020 && next <= 0xe007f) || // tag sequences (flags)
		(regional(prev) && regional(next)) // a flag's two letters
}

func regional(r rune) bool {
	return r >= 0x1f1e6 && r <= 0x1f1ff
}
