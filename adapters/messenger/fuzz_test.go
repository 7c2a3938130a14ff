package messenger

import (
	"errors"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// FuzzParseEvents feeds webhook bodies to the parser; the seed corpus in
// testdata/fuzz/FuzzParseEvents holds the fixture bodies and one of each
// event type. Whatever the input, it must not panic, must either fail with
// errMalformed or return events of exactly one role each, and every event
// it would store must pass the hub's own checks.
func FuzzParseEvents(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parseEvents(testChannel, body)
		if err != nil {
			if !errors.Is(err, errMalformed) || events != nil {
				t.Fatalf("err = %v with %d events, want errMalformed and none", err, len(events))
			}
			return
		}
		for i, ev := range events {
			roles := 0
			for _, r := range []bool{ev.Skip != "", ev.Filtered != "", ev.In.Kind != "", ev.Watermark != nil || len(ev.Delivered) > 0} {
				if r {
					roles++
				}
			}
			if roles != 1 {
				t.Fatalf("event %d has %d roles: %+v", i, roles, ev)
			}
			switch ev.In.Kind {
			case "":
			case core.KindMessage, core.KindPostback, core.KindReaction:
				if ev.In.ProviderMessageID == "" || ev.In.Contact.ID == "" || ev.In.Channel != testChannel {
					t.Fatalf("event %d would be refused by the hub: %+v", i, ev.In)
				}
				if ev.In.Kind == core.KindMessage && storedText(ev.In.Text, ev.Unsupported, nil) == "" && len(ev.Media) == 0 {
					t.Fatalf("event %d is a message with nothing to store: %+v", i, ev)
				}
			case core.KindEdit:
				if ev.In.Target == "" {
					t.Fatalf("event %d: edit without target", i)
				}
			default:
				t.Fatalf("event %d: unexpected kind %q", i, ev.In.Kind)
			}
			if w := ev.Watermark; w != nil && (w.Contact == "" || w.Until.IsZero() || w.Channel != testChannel) {
				t.Fatalf("event %d: incomplete watermark %+v", i, w)
			}
			for _, m := range ev.Media {
				if m.URL == "" || m.Type == "" {
					t.Fatalf("event %d: media without url or type: %+v", i, m)
				}
			}
		}
	})
}

// FuzzVerify checks signature headers: Verify never panics, accepts only
// the body's own signature, and always accepts what Sign makes.
func FuzzVerify(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(testSecret, header, body)
		if err != nil && !errors.Is(err, errMissingSignature) && !errors.Is(err, errBadSignature) {
			t.Fatalf("Verify = %v, want nil, errMissingSignature or errBadSignature", err)
		}
		if err == nil && Verify("another secret", header, body) == nil {
			t.Fatalf("header %q verifies under two secrets", header)
		}
		if err := Verify(testSecret, Sign(testSecret, body), body); err != nil {
			t.Fatalf("Verify(Sign(body)) = %v", err)
		}
	})
}
