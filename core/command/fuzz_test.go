package command_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core/command"
)

// FuzzParse checks the contracts of Parse on any text: it never panics;
// ErrNotCommand comes exactly for text IsCommand rejects; every other error
// is a *ParseError with a readable message; and a Command it returns has a
// valid UTF-8, trimmed Arg and survives a round trip through String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "$", "!", "$status open", "$forward group billing", "!thanks",
		"$email Bob <bob@example.com>", "$note héllo\nwörld", "$locale pt_br",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := command.Parse(text)
		if !command.IsCommand(text) {
			if err != command.ErrNotCommand {
				t.Fatalf("Parse(%q) error = %v, want ErrNotCommand", text, err)
			}
			return
		}
		if err != nil {
			var pe *command.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %T %v, want *ParseError", text, err, err)
			}
			if pe.Reason == "" || !utf8.ValidString(pe.Reason) {
				t.Fatalf("Parse(%q) error text %q is not a readable message", text, pe.Reason)
			}
			return
		}
		if utf8.ValidString(text) && !utf8.ValidString(c.Arg) {
			t.Fatalf("Parse(%q) Arg %q is not valid UTF-8", text, c.Arg)
		}
		if c.Arg != strings.TrimSpace(c.Arg) {
			t.Fatalf("Parse(%q) Arg %q is not trimmed", text, c.Arg)
		}
		if !slices.Contains(allNames, c.Name) {
			t.Fatalf("Parse(%q) got = %+v, an unknown Name", text, c)
		}
		if c.Group && c.Name != command.Forward {
			t.Fatalf("Parse(%q) got = %+v, Group is only for $forward", text, c)
		}
		if n := utf8.RuneCountInString(c.Arg); n > command.MaxNote || c.Name != command.Note && n > command.MaxArg {
			t.Fatalf("Parse(%q) Arg has %d characters, over the limit", text, n)
		}
		s := c.String()
		again, err := command.Parse(s)
		if err != nil || again != c {
			t.Fatalf("Parse(%q) got = %+v\nParse(%q) got = %+v, %v, want the same", text, c, s, again, err)
		}
	})
}
