package telegram

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	family := "👨‍👩‍👧" // three emoji joined by ZWJ: 8 UTF-16 units
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "hello", 10, []string{"hello"}},
		{"at a line break", "first line\nsecond line", 16, []string{"first line\n", "second line"}},
		{"at a space", "aaaa bbbb cccc", 10, []string{"aaaa bbbb ", "cccc"}},
		{"hard cut without spaces", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"surrogate pairs count twice and stay whole", "😀😀😀", 5, []string{"😀😀", "😀"}},
		{"combining accent stays on its letter", "abce\u0301fg", 4, []string{"abc", "e\u0301fg"}},
		{"ZWJ sequence stays whole", "ab" + family, 9, []string{"ab", family}},
		{"flag stays whole", "ab🇩🇪", 4, []string{"ab", "🇩🇪"}},
		{"a line break early in the part is not used", "a\nbcdefghijk", 6, []string{"a\nbcde", "fghijk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzSplitText(f *testing.F) {
	for _, s := range []string{"hello world", "😀😀😀😀", "a\nb\nc", "e\u0301\u0301\u0301x", "🇩🇪🇫🇷"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 2 || limit > 5000 || !utf8.ValidString(s) {
			return
		}
		parts := splitText(s, limit)
		if strings.Join(parts, "") != s {
			t.Fatalf("parts %q do not join back to %q", parts, s)
		}
		for _, p := range parts {
			if utf16Len(p) > limit || (p == "" && s != "") {
				t.Fatalf("part %q: %d UTF-16 units, limit %d", p, utf16Len(p), limit)
			}
		}
	})
}
