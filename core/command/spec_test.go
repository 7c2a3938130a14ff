package command_test

import (
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core/command"
)

var allNames = []command.Name{
	command.SetName, command.SetEmail, command.SetLocale, command.Note, command.Send,
	command.Dispatch, command.SetTopic, command.SetStatus, command.Forward, command.Rating,
	command.WebTransfer, command.Verify, command.Block, command.Unblock, command.Macro,
}

func TestSpecs_cover_every_command(t *testing.T) {
	have := map[command.Name]bool{}
	for _, s := range command.Specs() {
		have[s.Name] = true
	}
	for _, n := range allNames {
		if !have[n] {
			t.Errorf("Specs() has no usage of %q", n)
		}
	}
	if len(have) != len(allNames) {
		t.Errorf("Specs() names got = %d, want %d", len(have), len(allNames))
	}
}

// The picker shows Usage and Description as they are, so each must be one
// tidy line, and Usage must start with what the operator types.
func TestSpecs_are_fit_for_the_picker(t *testing.T) {
	for _, s := range command.Specs() {
		prefix := "$" + string(s.Name)
		if s.Name == command.Macro {
			prefix = "!"
		}
		if !strings.HasPrefix(s.Usage, prefix) {
			t.Errorf("%s: Usage %q does not start with %q", s.Name, s.Usage, prefix)
		}
		if s.Description == "" || strings.Contains(s.Description, "\n") || strings.HasSuffix(s.Description, ".") {
			t.Errorf("%s: Description %q is not one line without a full stop", s.Name, s.Description)
		}
		takesArg := strings.Contains(s.Usage, "<")
		if takesArg != (s.Arg != command.ArgNone) {
			t.Errorf("%s: Usage %q disagrees with Arg %q", s.Name, s.Usage, s.Arg)
		}
	}
}

// Each argument-less usage parses as typed; each usage with an argument
// refuses to run without it.
func TestSpecs_agree_with_Parse(t *testing.T) {
	for _, s := range command.Specs() {
		if s.Name == command.Macro {
			continue
		}
		typed, _, _ := strings.Cut(s.Usage, " <")
		c, err := command.Parse(typed)
		switch s.Arg {
		case command.ArgNone:
			if err != nil || c.Name != s.Name {
				t.Errorf("Parse(%q) got = %+v, %v, want %s", typed, c, err, s.Name)
			}
		case command.ArgRequired:
			if err == nil {
				t.Errorf("Parse(%q) got = %+v, want an error", typed, c)
			}
		}
	}
}

func TestSpecs_returns_a_copy(t *testing.T) {
	s := command.Specs()
	s[0].Usage = "changed"
	if command.Specs()[0].Usage == "changed" {
		t.Error("Specs() shares its slice with the caller")
	}
}
