package whatsapp

import (
	"slices"
	"testing"
)

func TestParseTemplateCall(t *testing.T) {
	tests := []struct {
		text   string
		ok     bool
		name   string
		values []string
		err    bool
	}{
		{"Hello there", false, "", nil, false},
		{"/templates are great", false, "", nil, false},
		{"/template", true, "", nil, true},
		{"/template hello_again", true, "hello_again", nil, false},
		{"  /template order_update 61022 | Tuesday  ", true, "order_update", []string{"61022", "Tuesday"}, false},
		{"/template order_update  A | | C", true, "order_update", []string{"A", "", "C"}, false},
		{"/template\torder_update x", true, "order_update", []string{"x"}, false},
	}
	for _, tc := range tests {
		call, ok, err := parseTemplateCall(tc.text)
		if ok != tc.ok || (err != nil) != tc.err || call.Name != tc.name || !slices.Equal(call.Values, tc.values) {
			t.Errorf("parseTemplateCall(%q) = %+v %v %v, want %s %v ok=%v err=%v", tc.text, call, ok, err, tc.name, tc.values, tc.ok, tc.err)
		}
	}
}
