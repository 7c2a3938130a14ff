// Package command parses the operator commands typed in the inbox composer
// (DESIGN §4): "$status waiting", "$forward group billing", "!thanks".
//
// The package is pure: it turns text into a validated, canonical Command or
// into a ParseError whose text is fit to show the operator verbatim. It knows
// nothing of conversations, channels or rights; whether a command can be
// honoured (a "$rating" needs an online web chat contact, a "!macro" must
// exist) is decided by whoever executes it.
//
// A composer message is a command when IsCommand says so; everything else is
// ordinary text for the contact. "$5 refund" and "! " stay ordinary text.
package command
