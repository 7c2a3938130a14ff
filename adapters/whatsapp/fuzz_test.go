package whatsapp

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// FuzzParseCloud feeds webhook bodies to the Cloud API parser; the seed
// corpus in testdata/fuzz/FuzzParseCloud holds every fixture body and one
// of each message type. Whatever the input, it must not panic, must either
// fail with meta.ErrMalformed or return events of exactly one role each,
// and every event it would store must pass the hub's own checks.
func FuzzParseCloud(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parseCloud(testChannel, testPhoneNumberID, body)
		if err != nil {
			if !errors.Is(err, meta.ErrMalformed) || events != nil {
				t.Fatalf("err = %v with %d events, want ErrMalformed and none", err, len(events))
			}
			return
		}
		for i, ev := range events {
			roles := 0
			for _, r := range []bool{ev.Skip != "", ev.In.Kind != "", ev.Status != nil && ev.In.Kind == ""} {
				if r {
					roles++
				}
			}
			if roles != 1 {
				t.Fatalf("event %d has %d roles: %+v", i, roles, ev)
			}
			in := ev.In
			switch in.Kind {
			case "":
			case core.KindMessage, core.KindPostback, core.KindReaction:
				if in.ProviderMessageID == "" || in.Contact.ID == "" || in.Channel != testChannel || in.Contact.ID[0] != '+' {
					t.Fatalf("event %d would be refused by the hub: %+v", i, in)
				}
				if in.Kind == core.KindMessage && placeholderText(in.Text, ev.Unsupported, nil) == "" && len(ev.Media) == 0 {
					t.Fatalf("event %d is a message with nothing to store: %+v", i, ev)
				}
			case core.KindDelivered, core.KindRead, core.KindFailed:
				if in.Target == "" {
					t.Fatalf("event %d: receipt without target", i)
				}
			default:
				t.Fatalf("event %d: unexpected kind %q", i, in.Kind)
			}
			for _, m := range ev.Media {
				if m.ID == "" || m.Type == "" {
					t.Fatalf("event %d: media without id or type: %+v", i, m)
				}
			}
		}
	})
}

// FuzzParseTemplateCall checks the operator's /template syntax: no panic,
// ordinary text is never taken for a template, and a parsed call has a
// name without spaces.
func FuzzParseTemplateCall(f *testing.F) {
	for _, s := range []string{"/template order_update 61022 | Tuesday", "/template", "hello", "/template\t\tx|y", "/templatex"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		call, ok, err := parseTemplateCall(text)
		if !ok && (err != nil || call.Name != "") {
			t.Fatalf("%q: not a template but %+v %v", text, call, err)
		}
		if ok && err == nil && (call.Name == "" || !utf8.ValidString(call.Name) && utf8.ValidString(text)) {
			t.Fatalf("%q: template without a usable name: %+v", text, call)
		}
		_, _ = call.resolve(testChannel, []Template{{Name: "order_update", Language: "en_US", Parameters: []string{"a", "b"}}})
	})
}
