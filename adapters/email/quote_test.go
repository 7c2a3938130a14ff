package email

import "testing"

func TestStripQuote_keeps_the_new_part_of_a_reply(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"no history", "Hello,\n\nthanks!", "Hello,\n\nthanks!"},
		{"Gmail attribution", "Thanks!\n\nOn Thu, 13 Mar 2025 at 11:02, Sam <sam@example.com> wrote:\n> Hi", "Thanks!"},
		{"Gmail attribution wrapped over two lines", "Ok.\n\nOn Thu, 13 Mar 2025 at 11:02, Larkspur Support\n<support@larkspur.example.com> wrote:\n> Hi", "Ok."},
		{"German", "Danke!\n\nAm 13.03.2025 um 11:02 schrieb Sam <sam@example.com>:\n> Hallo", "Danke!"},
		{"French", "Merci\n\nLe jeu. 13 mars 2025 à 11:02, Sam <sam@example.com> a écrit :\n> Bonjour", "Merci"},
		{"Outlook separator", "See below.\n\n-----Original Message-----\nFrom: Sam\nSent: Thursday\n\nold", "See below."},
		{"Outlook header block", "Fine.\n\n________________________________\nFrom: Sam <sam@example.com>\nSent: Thursday, March 13, 2025 11:02\nSubject: Re: x", "Fine."},
		{"Outlook header block without a rule", "Fine.\n\nFrom: Sam <sam@example.com>\nSent: Thursday, March 13, 2025 11:02\nTo: Dana", "Fine."},
		{"trailing quoted block", "Yes please.\n\n> Shall we send a new one?\n> Sam", "Yes please."},
		{"inline answers keep everything", "> Which size?\nM\n> Which colour?\nGreen", "> Which size?\nM\n> Which colour?\nGreen"},
		{"only a quote is kept whole", "> just forwarding this", "> just forwarding this"},
		{"a sentence mentioning wrote: is text", "On Monday you wrote: thanks.\nSee you", "On Monday you wrote: thanks.\nSee you"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stripQuote(tt.text); got != tt.want {
				t.Errorf("stripQuote = %q, want %q", got, tt.want)
			}
		})
	}
}
