package sqlite

import "testing"

func TestFtsQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  !!! ", ""},
		{"hello", `"hello"*`},
		{"late order", `"late" "order"*`},
		{"anna@example.com", `"anna" "example" "com"*`},
		{`"a" OR b*`, `"a" "OR" "b"*`},
		{"NEAR(", `"NEAR"*`},
		{"col:value^", `"col" "value"*`},
		{"Müller", `"Müller"*`},
		{"+49 151 1234-5678", `"4915112345678"* OR ("49" "151" "1234" "5678"*)`},
		{"+4915112345678", `"4915112345678"*`},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"hello world, long", 7, "hello…"},
		{"äöüäöüäöü", 4, "äöü…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
