package telegram

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// FuzzParseUpdate feeds arbitrary bytes to the update parser and the
// converter, as the webhook and the poller do. Its committed seed corpus
// (testdata/fuzz/FuzzParseUpdate) holds the bodies of the shared fixtures.
// Neither may panic; what they accept must make a well-formed event.
func FuzzParseUpdate(f *testing.F) {
	f.Add([]byte(textUpdate))
	f.Add([]byte(photoUpdate))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := parseUpdate(body)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("parseUpdate error %v does not wrap errMalformed", err)
			}
			return
		}
		ev, err := convert(u)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("convert error %v does not wrap errMalformed", err)
			}
			return
		}
		if ev.Skip != "" {
			return
		}
		if ev.Contact.ID == "" {
			t.Fatalf("event without contact id: %+v", ev)
		}
		switch ev.Kind {
		case core.KindMessage, core.KindPostback:
			if !strings.Contains(ev.ProviderMessageID, ":") {
				t.Fatalf("%s without provider id: %+v", ev.Kind, ev)
			}
			if ev.Kind == core.KindMessage && ev.Text == "" && len(ev.Media) == 0 && ev.Shared == nil {
				t.Fatalf("message with nothing to store: %+v", ev)
			}
		case core.KindEdit:
			if _, _, err := parseProviderID(ev.Target); err != nil {
				t.Fatalf("edit target %q: %v", ev.Target, err)
			}
		default:
			t.Fatalf("event of kind %q", ev.Kind)
		}
	})
}
