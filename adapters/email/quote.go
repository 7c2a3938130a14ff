package email

import (
	"regexp"
	"strings"
)

// attribution matches the line a mail client writes above quoted history,
// in the languages customers commonly write in.
var attribution = regexp.MustCompile(`(?i)^(` +
	`on\b.{4,}\bwrote:|` + // English (Gmail, Apple Mail, Thunderbird)
	`am\b.{4,}\bschrieb\b.*:|` + // German
	`le\b.{4,}\ba écrit\s?:|` + // French
	`el\b.{4,}\bescribió:|` + // Spanish
	`op\b.{4,}\bschreef\b.*:|` + // Dutch
	`il\b.{4,}\bha scritto:|` + // Italian
	`em\b.{4,}\bescreveu:|` + // Portuguese
	`-{2,}\s*original message\s*-{2,}|` +
	`-{2,}\s*ursprüngliche nachricht\s*-{2,}|` +
	`-{2,}\s*message d'origine\s*-{2,}|` +
	`-{2,}\s*forwarded message\s*-{2,}` +
	`)\s*$`)

// outlookHeader matches the first line of the header block Outlook puts
// above quoted history ("From: ...", then "Sent:" or "Date:").
var outlookHeader = regexp.MustCompile(`(?i)^\*?(from|von|de|van):\*?\s`)
var outlookSent = regexp.MustCompile(`(?i)^\*?(sent|date|gesendet|datum|envoyé|verzonden|enviado):\*?\s`)

// stripQuote returns the new part of a reply: text up to the attribution
// line of the quoted history, or up to a trailing block of "> " lines. Text
// without recognisable history is returned whole, as is text that would
// otherwise come out empty.
func stripQuote(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if isAttribution(lines, i, l) || (strings.HasPrefix(l, ">") && quotedToEnd(lines[i:])) {
			cut = i
			break
		}
	}
	out := strings.TrimRight(strings.Join(lines[:cut], "\n"), " \t\n")
	if strings.TrimSpace(out) == "" {
		return text
	}
	return out
}

func isAttribution(lines []string, i int, l string) bool {
	if attribution.MatchString(l) {
		return true
	}
	// Gmail wraps a long attribution: "On Thu, 13 Mar 2025 at 11:02, Name"
	// then "<address> wrote:".
	if i+1 < len(lines) && strings.HasPrefix(strings.ToLower(l), "on ") &&
		attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])) {
		return true
	}
	if strings.Trim(l, "_") == "" && len(l) >= 10 && i+1 < len(lines) {
		return outlookHeader.MatchString(strings.TrimSpace(lines[i+1]))
	}
	if outlookHeader.MatchString(l) {
		for j := i + 1; j < len(lines) && j <= i+3; j++ {
			if outlookSent.MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	}
	return false
}

// quotedToEnd reports whether every non-blank line is quoted with ">".
func quotedToEnd(lines []string) bool {
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, ">") {
			return false
		}
	}
	return true
}
