package command

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotCommand is returned by Parse for text that IsCommand rejects: it is
// ordinary text for the contact.
var ErrNotCommand = errors.New("command: not a command")

// ParseError is a command that cannot be run as typed. Its Error text is a
// whole sentence naming the command, fit to show the operator verbatim:
//
//	unknown command "$foo"; type $ to see the list
//	$status needs one of new, open, waiting, resolved
//	$email: "bob@" is not an email address
type ParseError struct {
	// Command is the command as the operator knows it: "$status", "!thanks",
	// or the unknown word as typed ("$foo", shortened when long). It is empty
	// when the text is not valid UTF-8.
	Command string
	// Reason is the whole message, Command included.
	Reason string
}

func (e *ParseError) Error() string { return e.Reason }

func failf(cmd, format string, args ...any) *ParseError {
	return &ParseError{Command: cmd, Reason: fmt.Sprintf(format, args...)}
}

// IsCommand reports whether the operator meant text as a command rather than
// as a message to the contact: after leading white space it starts with '$'
// and a letter a-z in any case ("$status"), or with '!' and a character of a
// macro name ("!thanks"). So "$5 refund", "$ 10", "!!" and "! " are ordinary text.
func IsCommand(text string) bool {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if len(text) < 2 {
		return false
	}
	switch text[0] {
	case '$':
		return isASCIILetter(text[1])
	case '!':
		return isMacroByte(text[1])
	}
	return false
}

// Parse parses a command typed in the composer. It returns ErrNotCommand
// exactly when IsCommand(text) is false; any other error is a *ParseError.
//
// Command words are case-insensitive ("$STATUS open"). The argument is
// everything after the command word, trimmed of surrounding white space; a
// command that takes no argument refuses any ("$block now"). See Command for
// the canonical forms of arguments.
func Parse(text string) (Command, error) {
	if !IsCommand(text) {
		return Command{}, ErrNotCommand
	}
	if !utf8.ValidString(text) {
		return Command{}, failf("", "the command is not valid UTF-8 text")
	}
	word, rest := cutWord(strings.TrimSpace(text))
	arg := strings.TrimSpace(rest)
	if word[0] == '!' {
		return parseMacro(word, arg)
	}
	r, ok := lookup(word[1:])
	if !ok {
		return Command{}, failf(clip(word), "unknown command %q; type $ to see the list", clip(word))
	}
	c := Command{Name: r.Name}
	cmd := "$" + string(r.Name)
	switch {
	case r.Arg == ArgNone && arg != "":
		return Command{}, failf(cmd, "%s takes no argument; remove %q", cmd, clip(arg))
	case r.Arg == ArgRequired && arg == "":
		return Command{}, failf(cmd, "%s needs %s", cmd, r.needs)
	case arg == "":
		return c, nil
	}
	if err := checkText(cmd, arg, r); err != nil {
		return Command{}, err
	}
	c.Arg = arg
	if r.check != nil {
		if err := r.check(&c, cmd); err != nil {
			return Command{}, err
		}
	}
	return c, nil
}

// parseMacro parses "!name". The name is case-insensitive and canonically
// lower case; text after it is refused, since a macro is sent as it is.
func parseMacro(word, arg string) (Command, error) {
	name := asciiLower(word[1:])
	if !isMacroName(name) {
		return Command{}, failf(clip(word), "%q is not a macro name; macro names use only a-z, 0-9, _ and -", clip(word))
	}
	cmd := "!" + name
	if n := utf8.RuneCountInString(name); n > MaxArg {
		return Command{}, failf(clip(cmd), "%s is too long: %d characters, at most %d", clip(cmd), n, MaxArg)
	}
	if arg != "" {
		return Command{}, failf(cmd, "%s takes no argument; remove %q", cmd, clip(arg))
	}
	return Command{Name: Macro, Arg: name}, nil
}

// checkText applies the limits every argument of r shares: its length and,
// unless r is multi-line, a single line without control characters.
func checkText(cmd, arg string, r row) error {
	max := r.max
	if max == 0 {
		max = MaxArg
	}
	if n := utf8.RuneCountInString(arg); n > max {
		return failf(cmd, "%s is too long: %d characters, at most %d", cmd, n, max)
	}
	if !r.multiline && strings.IndexFunc(arg, unicode.IsControl) >= 0 {
		return failf(cmd, "%s takes a single line of text", cmd)
	}
	return nil
}

// cutWord splits s at its first white space.
func cutWord(s string) (word, rest string) {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// clip shortens s for quoting in a message, on a rune boundary.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// asciiLower lower-cases ASCII letters only, so that no Unicode folding
// (the Kelvin sign folds to "k") can turn a foreign word into a command.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isMacroByte(c byte) bool {
	return isASCIILetter(c) || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// isMacroName reports whether s matches [a-z0-9_-]+ once lower-cased.
func isMacroName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isMacroByte(s[i]) {
			return false
		}
	}
	return true
}
