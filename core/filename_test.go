package core_test

import (
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ann\photo.png`, "photo.png"},
		{" spaced name.txt ", "spaced name.txt"},
		{"bell\a\x00.txt", "bell.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"..", ""},
		{"dir/", ""},
		{strings.Repeat("é", 200), strings.Repeat("é", 127)},
	}
	for _, tt := range tests {
		if got := core.CleanFilename(tt.in); got != tt.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
