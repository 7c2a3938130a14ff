package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameLen bounds an attachment's file name, in bytes.
const MaxFilenameLen = 255

// CleanFilename keeps the last path element of a file name a sender or
// provider gave, without control characters or invalid UTF-8, trimmed, at most
// MaxFilenameLen bytes. Names that are empty or only "." or ".." become "".
func CleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > MaxFilenameLen {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "." || name == ".." {
		return ""
	}
	return name
}
