package core_test

import (
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// The card masking rules (DESIGN §3): a run of 13 to 19 digits, optionally
// separated by single spaces or hyphens and not touching other digits, that
// passes the Luhn check has every digit but the last four replaced by '*';
// separators stay.
func TestMaskCards(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"spaces", "4111 1111 1111 1111", "**** **** **** 1111"},
		{"hyphens", "4111-1111-1111-1111", "****-****-****-1111"},
		{"no separators", "4111111111111111", "************1111"},
		{"mixed separators", "4111 1111-1111 1111", "**** ****-**** 1111"},
		{"amex 15 digits", "378282246310005", "***********0005"},
		{"amex grouping", "3782 822463 10005", "**** ****** *0005"},
		{"13 digits", "4222222222222", "*********2222"},
		{"19 digits", "4111111111111111110", "***************1110"},
		{"in a sentence", "my card is 5555 5555 5555 4444, exp 12/29", "my card is **** **** **** 4444, exp 12/29"},
		{"two cards", "4111111111111111 or else 6011-1111-1111-1117.", "************1111 or else ****-****-****-1117."},
		{"on its own line", "card:\n4111111111111111\nthanks", "card:\n************1111\nthanks"},
		{"touching letters", "ref4111111111111111x", "ref************1111x"},
		{"after unicode", "Karte→4111111111111111€", "Karte→************1111€"},
		{"trailing separator", "4111 1111 1111 1111 - ok", "**** **** **** 1111 - ok"},

		{"not Luhn", "4111 1111 1111 1112", "4111 1111 1111 1112"},
		{"12 digits", "411111111117", "411111111117"},
		{"20 digits", "41111111111111111115", "41111111111111111115"},
		{"card touching more digits", "4111 1111 1111 1111 1", "4111 1111 1111 1111 1"},
		{"double space breaks the run", "4111 1111  1111 1111", "4111 1111  1111 1111"},
		{"space and hyphen break the run", "4111 1111 - 1111 1111", "4111 1111 - 1111 1111"},
		{"dot breaks the run", "4111.1111.1111.1111", "4111.1111.1111.1111"},
		{"phone number", "call +49 30 12345678 or +1 555-123-4567", "call +49 30 12345678 or +1 555-123-4567"},
		{"order number", "order 2024-000123", "order 2024-000123"},
		{"already masked", "**** **** **** 1111", "**** **** **** 1111"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, masked := core.MaskCards(tc.in)
			if got != tc.want {
				t.Errorf("MaskCards(%q) got = %q, want %q", tc.in, got, tc.want)
			}
			if want := tc.in != tc.want; masked != want {
				t.Errorf("MaskCards(%q) masked got = %v, want %v", tc.in, masked, want)
			}
		})
	}
}

// FuzzMaskCards checks what must hold for any text: no panic; the output has
// the input's length in bytes; only digits change, and only into '*'; the
// report is true exactly when something changed; and masking is idempotent.
func FuzzMaskCards(f *testing.F) {
	for _, s := range []string{"", "4111 1111 1111 1111", "378282246310005", "4111 1111  1111 1111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, masked := core.MaskCards(in)
		if len(out) != len(in) {
			t.Fatalf("MaskCards(%q) got = %q, %d bytes, want %d", in, out, len(out), len(in))
		}
		for i := 0; i < len(in); i++ {
			if out[i] != in[i] && (out[i] != '*' || in[i] < '0' || in[i] > '9') {
				t.Fatalf("MaskCards(%q) got = %q: byte %d changed from %q to %q", in, out, i, in[i], out[i])
			}
		}
		if masked != (out != in) {
			t.Fatalf("MaskCards(%q) masked got = %v, want %v", in, masked, out != in)
		}
		if again, more := core.MaskCards(out); more || again != out {
			t.Fatalf("MaskCards(%q) got = %q, %v, want %q unchanged", out, again, more, out)
		}
	})
}
