package command

// Name identifies a command. Its value is the command word in lower case
// without the leading '$' ("status"); a chat macro, typed "!name", is Macro.
type Name string

// The commands of DESIGN §4, in the order the command picker lists them.
const (
	SetName     Name = "name"        // $name <full name>: the contact's full name
	SetEmail    Name = "email"       // $email <address>: the contact's email address
	SetLocale   Name = "locale"      // $locale <tag>: the contact's language
	Note        Name = "note"        // $note <text>: an internal note
	Send        Name = "send"        // $send: transcript to the contact when the chat ends
	Dispatch    Name = "dispatch"    // $dispatch <address>: transcript to an operator address
	SetTopic    Name = "topic"       // $topic <topic>: the conversation's topic
	SetStatus   Name = "status"      // $status <new|open|waiting|resolved>
	Forward     Name = "forward"     // $forward <operator> or $forward group <group>
	Rating      Name = "rating"      // $rating: ask the contact to rate the chat
	WebTransfer Name = "webtransfer" // $webtransfer: move the contact to the web chat
	Verify      Name = "verify"      // $verify: ask the contact to verify their identity
	Block       Name = "block"       // $block: block the contact
	Unblock     Name = "unblock"     // $unblock: unblock the contact
	Macro       Name = "macro"       // !name: send the chat macro called Arg
)

// Command is a parsed operator command. Parse only returns Commands whose
// Arg is valid for their Name and already in canonical form, so executing a
// Command needs no further syntax checks.
type Command struct {
	Name Name
	// Arg is the argument, trimmed and canonical: the bare address for
	// SetEmail and Dispatch ("Bob <bob@example.com>" becomes
	// "bob@example.com"), a lower-case status for SetStatus, a tag cased
	// the BCP 47 way for SetLocale ("pt_br" becomes "pt-BR"), the lower-case
	// macro name for Macro, and the text as typed otherwise. It is empty for
	// commands without an argument.
	Arg string
	// Group reports "$forward group <group>": Arg names an operator group
	// rather than an operator.
	Group bool
}

// String renders c as the canonical command text. For every Command that
// Parse returns, Parse(c.String()) returns c again. The text of a Command
// built by hand with an invalid Arg may not parse.
func (c Command) String() string {
	switch {
	case c.Name == Macro:
		return "!" + c.Arg
	case c.Group:
		return "$" + string(c.Name) + " " + groupKeyword + " " + c.Arg
	case c.Arg == "":
		return "$" + string(c.Name)
	}
	return "$" + string(c.Name) + " " + c.Arg
}
