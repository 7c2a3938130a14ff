package command

import (
	"net/mail"
	"regexp"
	"strings"
)

// argCheck validates c.Arg, already trimmed and within the row's limits, and
// rewrites it (and c.Group) into canonical form. cmd is "$name" for messages.
type argCheck func(c *Command, cmd string) error

// Statuses a conversation can be set to. They mirror core.Status; this
// package imports nothing from core so that core may import it.
var statuses = []string{"new", "open", "waiting", "resolved"}

const statusNeeds = "one of new, open, waiting, resolved"

// checkStatus accepts a status in any case and returns it in lower case.
func checkStatus(c *Command, cmd string) error {
	s := asciiLower(c.Arg)
	for _, st := range statuses {
		if s == st {
			c.Arg = st
			return nil
		}
	}
	return failf(cmd, "%s needs %s, not %q", cmd, statusNeeds, clip(c.Arg))
}

// checkAddress accepts an email address, with or without a display name
// ("Bob <bob@example.com>"), and keeps the bare address.
func checkAddress(c *Command, cmd string) error {
	addr, ok := bareAddress(c.Arg)
	if !ok {
		return failf(cmd, "%s: %q is not an email address", cmd, clip(c.Arg))
	}
	c.Arg = addr
	return nil
}

// bareAddress parses s as one RFC 5322 address and returns its addr-spec.
// Only plain addresses pass: the result must parse as itself (a quoted local
// part such as "a b"@example.com would not) and its domain must have a dot,
// which catches the common slip "bob@gmail".
func bareAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	again, err := mail.ParseAddress(a.Address)
	if err != nil || again.Address != a.Address || again.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(a.Address, '@')
	domain := a.Address[at+1:]
	if at <= 0 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", false
	}
	return a.Address, true
}

// localeTag matches the BCP 47 tags contacts have in practice: a language,
// an optional script and an optional region ("en", "zh-Hant-TW", "es-419").
// Underscores are accepted for hyphens, as operators often type "pt_BR".
var localeTag = regexp.MustCompile(`^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?$`)

// checkLocale accepts a language tag and cases it the BCP 47 way: "de-ch"
// becomes "de-CH", "zh_hant_tw" becomes "zh-Hant-TW".
func checkLocale(c *Command, cmd string) error {
	m := localeTag.FindStringSubmatch(c.Arg)
	if m == nil {
		return failf(cmd, "%s: %q is not a language tag such as en, de-CH or pt-BR", cmd, clip(c.Arg))
	}
	tag := strings.ToLower(m[1])
	if m[2] != "" {
		tag += "-" + strings.ToUpper(m[2][:1]) + strings.ToLower(m[2][1:])
	}
	if m[3] != "" {
		tag += "-" + strings.ToUpper(m[3])
	}
	c.Arg = tag
	return nil
}

// groupKeyword introduces the group form of $forward.
const groupKeyword = "group"

// checkForward tells "$forward group <group>" from "$forward <operator>". An
// operator given by email address is kept as the bare address; one given by
// name is kept as typed. An operator whose name starts with the word "group"
// must therefore be forwarded to by email address.
func checkForward(c *Command, cmd string) error {
	word, rest := cutWord(c.Arg)
	if asciiLower(word) == groupKeyword {
		c.Group = true
		c.Arg = strings.TrimSpace(rest)
		if c.Arg == "" {
			return failf(cmd+" "+groupKeyword, "%s %s needs a group name", cmd, groupKeyword)
		}
		return nil
	}
	if strings.Contains(c.Arg, "@") {
		return checkAddress(c, cmd)
	}
	return nil
}
