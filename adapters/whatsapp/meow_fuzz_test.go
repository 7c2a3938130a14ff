//go:build !nowhatsmeow

package whatsapp

import (
	"testing"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-hq/switchboard/core"
)

// FuzzConvertMeow feeds message protobufs, as WhatsApp's servers deliver
// them once decrypted, to the event converter; the seed corpus in
// testdata/fuzz/FuzzConvertMeow holds one message of each kind. The bytes
// that decode are converted with whatsmeow's own unwrapping (ephemeral,
// view-once, edit envelopes). It must not panic, and whatever it would
// store must pass the hub's checks.
func FuzzConvertMeow(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m waE2E.Message
		if proto.Unmarshal(raw, &m) != nil {
			return
		}
		evt := incoming("FUZZ1", nil)
		evt.RawMessage = &m
		evt.UnwrapRaw()
		ev := convertMeow(testChannel, evt)
		in := ev.In
		switch in.Kind {
		case "":
			if ev.Skip == "" && ev.Filtered == "" {
				t.Fatalf("nothing to store, but neither skipped nor filtered: %+v", ev)
			}
		case core.KindMessage, core.KindPostback:
			if placeholderText(in.Text, ev.Unsupported, nil) == "" && len(ev.Media) == 0 && in.Kind == core.KindMessage {
				t.Fatalf("a message with nothing to store: %+v", ev)
			}
		case core.KindReaction, core.KindEdit, core.KindDelete:
			if in.Target == "" {
				t.Fatalf("%s without target", in.Kind)
			}
		default:
			t.Fatalf("unexpected kind %q", in.Kind)
		}
		for _, md := range ev.Media {
			if md.File == nil || md.Type == "" {
				t.Fatalf("media without file or type: %+v", md)
			}
		}
	})
}
