package command_test

import (
	"testing"

	"github.com/switchboard-hq/switchboard/core/command"
)

func TestCommand_String_is_canonical(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  $STATUS   Open ", "$status open"},
		{"$block", "$block"},
		{"$email Bob <bob@example.com>", "$email bob@example.com"},
		{"$locale pt_br", "$locale pt-BR"},
		{"$forward  GROUP  billing", "$forward group billing"},
		{"$forward Anna Müller", "$forward Anna Müller"},
		{"$note\n a\n b ", "$note a\n b"},
		{"!Thanks", "!thanks"},
	}
	for _, tc := range cases {
		c, err := command.Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("Parse(%q).String() got = %q, want %q", tc.in, got, tc.want)
		}
		again, err := command.Parse(c.String())
		if err != nil || again != c {
			t.Errorf("Parse(%q) got = %+v, %v, want %+v", c.String(), again, err, c)
		}
	}
}
