package command_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core/command"
)

// parseCase is one line of a Parse specification: the text typed, and either
// the Command it means or the exact message the operator sees.
type parseCase struct {
	in   string
	want command.Command
	err  string
}

func testParse(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := command.Parse(tc.in)
		if tc.err != "" {
			var pe *command.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("Parse(%q) error = %v, want *ParseError %q", tc.in, err, tc.err)
				continue
			}
			if pe.Error() != tc.err {
				t.Errorf("Parse(%q) error\n got = %s\nwant %s", tc.in, pe.Error(), tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) error = %v, want %+v", tc.in, err, tc.want)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) got = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestIsCommand(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"$status open", true},
		{"$block", true},
		{"  \n\t$note leading white space is fine", true},
		{"$STATUS open", true},
		{"$foo", true}, // unknown, but meant as a command: Parse explains
		{"!thanks", true},
		{"!Thanks", true},
		{"!404", true},
		{"!_x", true},
		{"$5 refund", false},
		{"$ 10", false},
		{"$", false},
		{"$$", false},
		{"$€", false},
		{"!", false},
		{"!!", false},
		{"! ", false},
		{"!?", false},
		{"", false},
		{"   ", false},
		{"hello $status open", false},
		{"Thanks!", false},
		{"\u00a0$status open", true}, // no-break space is white space
	}
	for _, tc := range cases {
		if got := command.IsCommand(tc.in); got != tc.want {
			t.Errorf("IsCommand(%q) got = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParse_not_a_command(t *testing.T) {
	for _, in := range []string{"", "hello", "$5 refund", "$ 10", "!!", "! ", "$"} {
		if _, err := command.Parse(in); err != command.ErrNotCommand {
			t.Errorf("Parse(%q) error got = %v, want ErrNotCommand", in, err)
		}
	}
}

func TestParse_unknown_command(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$foo", err: `unknown command "$foo"; type $ to see the list`},
		{in: "$Foo bar", err: `unknown command "$Foo"; type $ to see the list`},
		{in: "$status:open", err: `unknown command "$status:open"; type $ to see the list`},
		{in: "$macro thanks", err: `unknown command "$macro"; type $ to see the list`},
		{in: "$bloc\u212a", err: "unknown command \"$bloc\u212a\"; type $ to see the list"}, // Kelvin sign is not a k
		{in: "$" + strings.Repeat("x", 100), err: `unknown command "$` + strings.Repeat("x", 38) + `…"; type $ to see the list`},
	})
}

func TestParse_case_insensitive(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$STATUS open", want: command.Command{Name: command.SetStatus, Arg: "open"}},
		{in: "$Block", want: command.Command{Name: command.Block}},
		{in: "$WebTransfer", want: command.Command{Name: command.WebTransfer}},
		{in: "$FORWARD GROUP Billing", want: command.Command{Name: command.Forward, Arg: "Billing", Group: true}},
	})
}

func TestParse_commands_without_argument(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$send", want: command.Command{Name: command.Send}},
		{in: "$rating", want: command.Command{Name: command.Rating}},
		{in: "$webtransfer", want: command.Command{Name: command.WebTransfer}},
		{in: "$verify", want: command.Command{Name: command.Verify}},
		{in: "$block", want: command.Command{Name: command.Block}},
		{in: "$unblock", want: command.Command{Name: command.Unblock}},
		{in: "  $block  \n", want: command.Command{Name: command.Block}},
		{in: "$block now", err: `$block takes no argument; remove "now"`},
		{in: "$send\nplease", err: `$send takes no argument; remove "please"`},
		{in: "$rating 5", err: `$rating takes no argument; remove "5"`},
	})
}

func TestParse_name(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$name Anna Müller", want: command.Command{Name: command.SetName, Arg: "Anna Müller"}},
		{in: "$name   Anna   Müller  ", want: command.Command{Name: command.SetName, Arg: "Anna   Müller"}},
		{in: "$name\tJosé", want: command.Command{Name: command.SetName, Arg: "José"}},
		{in: "$name 山田太郎", want: command.Command{Name: command.SetName, Arg: "山田太郎"}},
		{in: "$name", err: "$name needs the contact's full name"},
		{in: "$name   ", err: "$name needs the contact's full name"},
		{in: "$name Anna\nMüller", err: "$name takes a single line of text"},
		{in: "$name Anna\x00", err: "$name takes a single line of text"},
	})
}

func TestParse_email(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$email bob@example.com", want: command.Command{Name: command.SetEmail, Arg: "bob@example.com"}},
		{in: "$email Bob Smith <bob@example.com>", want: command.Command{Name: command.SetEmail, Arg: "bob@example.com"}},
		{in: "$email <bob@example.com>", want: command.Command{Name: command.SetEmail, Arg: "bob@example.com"}},
		{in: "$email Bob.Smith+shop@mail.example.co.uk", want: command.Command{Name: command.SetEmail, Arg: "Bob.Smith+shop@mail.example.co.uk"}},
		{in: "$email", err: "$email needs an email address"},
		{in: "$email bob@", err: `$email: "bob@" is not an email address`},
		{in: "$email bob", err: `$email: "bob" is not an email address`},
		{in: "$email bob@gmail", err: `$email: "bob@gmail" is not an email address`},
		{in: "$email bob@example.com, eve@example.com", err: `$email: "bob@example.com, eve@example.com" is not an email address`},
		{in: `$email "bob smith"@example.com`, err: `$email: "\"bob smith\"@example.com" is not an email address`},
		{in: "$email bob@[192.0.2.1]", err: `$email: "bob@[192.0.2.1]" is not an email address`},
	})
}

func TestParse_locale(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$locale en", want: command.Command{Name: command.SetLocale, Arg: "en"}},
		{in: "$locale de-CH", want: command.Command{Name: command.SetLocale, Arg: "de-CH"}},
		{in: "$locale pt-BR", want: command.Command{Name: command.SetLocale, Arg: "pt-BR"}},
		{in: "$locale PT_br", want: command.Command{Name: command.SetLocale, Arg: "pt-BR"}},
		{in: "$locale zh-hant-tw", want: command.Command{Name: command.SetLocale, Arg: "zh-Hant-TW"}},
		{in: "$locale es-419", want: command.Command{Name: command.SetLocale, Arg: "es-419"}},
		{in: "$locale gsw", want: command.Command{Name: command.SetLocale, Arg: "gsw"}},
		{in: "$locale", err: "$locale needs a language tag such as en, de-CH or pt-BR"},
		{in: "$locale english", err: `$locale: "english" is not a language tag such as en, de-CH or pt-BR`},
		{in: "$locale de CH", err: `$locale: "de CH" is not a language tag such as en, de-CH or pt-BR`},
		{in: "$locale de-", err: `$locale: "de-" is not a language tag such as en, de-CH or pt-BR`},
	})
}

func TestParse_note(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$note called back, no answer", want: command.Command{Name: command.Note, Arg: "called back, no answer"}},
		{in: "$note\nline one\n\n\tline two\n", want: command.Command{Name: command.Note, Arg: "line one\n\n\tline two"}},
		{in: "$note " + strings.Repeat("é", command.MaxNote), want: command.Command{Name: command.Note, Arg: strings.Repeat("é", command.MaxNote)}},
		{in: "$note", err: "$note needs the text of the note"},
		{in: "$note " + strings.Repeat("é", command.MaxNote+1), err: "$note is too long: 10001 characters, at most 10000"},
	})
}

func TestParse_dispatch(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$dispatch support-lead@example.com", want: command.Command{Name: command.Dispatch, Arg: "support-lead@example.com"}},
		{in: "$dispatch Lead <lead@example.com>", want: command.Command{Name: command.Dispatch, Arg: "lead@example.com"}},
		{in: "$dispatch", err: "$dispatch needs an operator email address"},
		{in: "$dispatch Anna", err: `$dispatch: "Anna" is not an email address`},
	})
}

func TestParse_topic(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$topic Refunds", want: command.Command{Name: command.SetTopic, Arg: "Refunds"}},
		{in: "$topic  Billing  /  Invoices ", want: command.Command{Name: command.SetTopic, Arg: "Billing  /  Invoices"}},
		{in: "$topic " + strings.Repeat("t", command.MaxArg), want: command.Command{Name: command.SetTopic, Arg: strings.Repeat("t", command.MaxArg)}},
		{in: "$topic", err: "$topic needs a topic"},
		{in: "$topic " + strings.Repeat("t", command.MaxArg+1), err: "$topic is too long: 1001 characters, at most 1000"},
	})
}

func TestParse_status(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$status new", want: command.Command{Name: command.SetStatus, Arg: "new"}},
		{in: "$status open", want: command.Command{Name: command.SetStatus, Arg: "open"}},
		{in: "$status Waiting", want: command.Command{Name: command.SetStatus, Arg: "waiting"}},
		{in: "$status RESOLVED", want: command.Command{Name: command.SetStatus, Arg: "resolved"}},
		{in: "$status", err: "$status needs one of new, open, waiting, resolved"},
		{in: "$status closed", err: `$status needs one of new, open, waiting, resolved, not "closed"`},
		{in: "$status open now", err: `$status needs one of new, open, waiting, resolved, not "open now"`},
	})
}

func TestParse_forward_operator(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$forward anna@example.com", want: command.Command{Name: command.Forward, Arg: "anna@example.com"}},
		{in: "$forward Anna <anna@example.com>", want: command.Command{Name: command.Forward, Arg: "anna@example.com"}},
		{in: "$forward Anna Müller", want: command.Command{Name: command.Forward, Arg: "Anna Müller"}},
		{in: "$forward groupie", want: command.Command{Name: command.Forward, Arg: "groupie"}},
		{in: "$forward", err: "$forward needs an operator's email address or name"},
		{in: "$forward anna@", err: `$forward: "anna@" is not an email address`},
	})
}

func TestParse_forward_group(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$forward group billing", want: command.Command{Name: command.Forward, Arg: "billing", Group: true}},
		{in: "$forward group  Second Level  ", want: command.Command{Name: command.Forward, Arg: "Second Level", Group: true}},
		{in: "$forward Group  billing", want: command.Command{Name: command.Forward, Arg: "billing", Group: true}},
		{in: "$forward group ops@example.com", want: command.Command{Name: command.Forward, Arg: "ops@example.com", Group: true}},
		{in: "$forward group", err: "$forward group needs a group name"},
		{in: "$forward group   ", err: "$forward group needs a group name"},
		{in: "$forward group a\nb", err: "$forward takes a single line of text"},
	})
}

func TestParse_macro(t *testing.T) {
	testParse(t, []parseCase{
		{in: "!thanks", want: command.Command{Name: command.Macro, Arg: "thanks"}},
		{in: "!Thanks", want: command.Command{Name: command.Macro, Arg: "thanks"}},
		{in: " !opening-hours_2 ", want: command.Command{Name: command.Macro, Arg: "opening-hours_2"}},
		{in: "!404", want: command.Command{Name: command.Macro, Arg: "404"}},
		{in: "!thanks Anna", err: `!thanks takes no argument; remove "Anna"`},
		{in: "!thanks.", err: `"!thanks." is not a macro name; macro names use only a-z, 0-9, _ and -`},
		{in: "!café", err: `"!café" is not a macro name; macro names use only a-z, 0-9, _ and -`},
		{in: "!" + strings.Repeat("m", command.MaxArg+1), err: "!" + strings.Repeat("m", 38) + "… is too long: 1001 characters, at most 1000"},
	})
}

func TestParse_invalid_utf8(t *testing.T) {
	testParse(t, []parseCase{
		{in: "$note caf\xe9", err: "the command is not valid UTF-8 text"},
	})
}

func TestParseError_names_the_command(t *testing.T) {
	cases := []struct{ in, want string }{
		{"$STATUS closed", "$status"},
		{"$foo", "$foo"},
		{"$forward group", "$forward group"},
		{"!Thanks you", "!thanks"},
	}
	for _, tc := range cases {
		_, err := command.Parse(tc.in)
		var pe *command.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("Parse(%q) error = %v, want *ParseError", tc.in, err)
		}
		if pe.Command != tc.want {
			t.Errorf("Parse(%q) Command got = %q, want %q", tc.in, pe.Command, tc.want)
		}
	}
}
