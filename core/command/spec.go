package command

import "slices"

// ArgKind says whether a command takes an argument.
type ArgKind string

// Argument kinds.
const (
	ArgNone     ArgKind = "none"     // "$block": any text after the command is refused
	ArgRequired ArgKind = "required" // "$topic <topic>": the argument must not be empty
	ArgOptional ArgKind = "optional" // may be left out; no built-in command has one yet
)

// Spec describes one usage of a command for the composer's command picker.
type Spec struct {
	Name        Name    `json:"name"`
	Usage       string  `json:"usage"`       // "$status <new|open|waiting|resolved>"
	Description string  `json:"description"` // one line, for the picker
	Arg         ArgKind `json:"arg"`
}

// Limits on argument length, counted in characters (runes).
const (
	MaxArg  = 1000  // any argument but a note
	MaxNote = 10000 // the text of $note
)

// row is one line of the grammar: a Spec and how to check its argument.
type row struct {
	Spec
	needs     string   // completes "$topic needs ..." when a required argument is missing
	max       int      // longest argument in runes; MaxArg when 0
	multiline bool     // whether the argument may hold line breaks and tabs
	check     argCheck // validates and canonicalises a non-empty argument; nil keeps it as typed
}

// table is the grammar and the picker's list at once. A command with two
// usages ($forward) has two rows; Parse uses the first row of a name.
var table = []row{
	{Spec: Spec{SetName, "$name <full name>", "Set the contact's full name", ArgRequired},
		needs: "the contact's full name"},
	{Spec: Spec{SetEmail, "$email <address>", "Set the contact's email address", ArgRequired},
		needs: "an email address", check: checkAddress},
	{Spec: Spec{SetLocale, "$locale <tag>", "Set the contact's language, such as en, de-CH or pt-BR", ArgRequired},
		needs: "a language tag such as en, de-CH or pt-BR", check: checkLocale},
	{Spec: Spec{Note, "$note <text>", "Add an internal note that only operators see", ArgRequired},
		needs: "the text of the note", max: MaxNote, multiline: true},
	{Spec: Spec{Send, "$send", "Email the transcript to the contact when the chat ends", ArgNone}},
	{Spec: Spec{Dispatch, "$dispatch <address>", "Email the transcript to an operator address", ArgRequired},
		needs: "an operator email address", check: checkAddress},
	{Spec: Spec{SetTopic, "$topic <topic>", "Set the conversation's topic", ArgRequired},
		needs: "a topic"},
	{Spec: Spec{SetStatus, "$status <new|open|waiting|resolved>", "Change the conversation's status", ArgRequired},
		needs: statusNeeds, check: checkStatus},
	{Spec: Spec{Forward, "$forward <operator>", "Forward the conversation to an operator, by email address or name", ArgRequired},
		needs: "an operator's email address or name", check: checkForward},
	{Spec: Spec{Forward, "$forward group <group>", "Forward the conversation to an operator group", ArgRequired},
		needs: "an operator's email address or name", check: checkForward},
	{Spec: Spec{Rating, "$rating", "Ask the contact to rate the chat", ArgNone}},
	{Spec: Spec{WebTransfer, "$webtransfer", "Invite the contact to continue in the web chat", ArgNone}},
	{Spec: Spec{Verify, "$verify", "Ask the contact to verify their identity", ArgNone}},
	{Spec: Spec{Block, "$block", "Block the contact; their messages go to Filtered", ArgNone}},
	{Spec: Spec{Unblock, "$unblock", "Unblock the contact", ArgNone}},
	{Spec: Spec{Macro, "!<macro>", "Send a chat macro", ArgRequired}},
}

// Specs lists every command usage in picker order. The slice is the
// caller's to keep or change.
func Specs() []Spec {
	s := make([]Spec, len(table))
	for i, r := range table {
		s[i] = r.Spec
	}
	return s
}

// lookup finds the row of a '$' command word, given without the '$' and in
// any ASCII case. Macros are typed "!name", never "$macro".
func lookup(word string) (row, bool) {
	name := Name(asciiLower(word))
	i := slices.IndexFunc(table, func(r row) bool { return r.Name == name && r.Name != Macro })
	if i < 0 {
		return row{}, false
	}
	return table[i], true
}
