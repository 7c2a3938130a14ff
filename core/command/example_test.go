package command_test

import (
	"fmt"

	"github.com/switchboard-hq/switchboard/core/command"
)

func ExampleParse() {
	for _, text := range []string{
		"$forward group Billing",
		"$STATUS Waiting",
		"$email Bob <bob@example.com>",
		"!Thanks",
		"$status closed",
		"$5 refund is on its way",
	} {
		c, err := command.Parse(text)
		switch {
		case err == command.ErrNotCommand:
			fmt.Printf("%-30q message for the contact\n", text)
		case err != nil:
			fmt.Printf("%-30q refused: %v\n", text, err)
		default:
			fmt.Printf("%-30q %s %q group=%v\n", text, c.Name, c.Arg, c.Group)
		}
	}
	// Output:
	// "$forward group Billing"       forward "Billing" group=true
	// "$STATUS Waiting"              status "waiting" group=false
	// "$email Bob <bob@example.com>" email "bob@example.com" group=false
	// "!Thanks"                      macro "thanks" group=false
	// "$status closed"               refused: $status needs one of new, open, waiting, resolved, not "closed"
	// "$5 refund is on its way"      message for the contact
}

func ExampleCommand_String() {
	c, _ := command.Parse("  $LOCALE  de_ch ")
	fmt.Println(c)
	// Output: $locale de-CH
}
