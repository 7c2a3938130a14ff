//go:build !nowhatsmeow

package whatsapp

import (
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-hq/switchboard/core"
)

var s = proto.String

func quoted(id string) *waE2E.ContextInfo {
	return &waE2E.ContextInfo{StanzaID: s(id), Participant: s("14155550100@s.whatsapp.net"), QuotedMessage: &waE2E.Message{Conversation: s("Which size?")}}
}

func TestConvertMeow_every_kind_of_content(t *testing.T) {
	tests := []struct {
		name     string
		msg      *waE2E.Message
		kind     core.Kind
		text     string
		media    []meowMedia // Type, MIMEType, Filename, Size; File not compared
		target   string
		replyTo  string
		postback *postback
	}{
		{name: "text", msg: &waE2E.Message{Conversation: s("Hi, can I still change the size?")}, kind: core.KindMessage, text: "Hi, can I still change the size?"},
		{name: "extended text that replies", msg: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: s("M please"), ContextInfo: quoted("3EB0AAA")}},
			kind: core.KindMessage, text: "M please", replyTo: "3EB0AAA"},
		{name: "image with caption", msg: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: s("Wrong colour"), Mimetype: s("image/jpeg"), FileLength: proto.Uint64(2048), DirectPath: s("/v/img")}},
			kind: core.KindMessage, text: "Wrong colour", media: []meowMedia{{Type: "image", MIMEType: "image/jpeg", Size: 2048}}},
		{name: "voice note (PTT)", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: s("audio/ogg; codecs=opus"), DirectPath: s("/v/ptt")}},
			kind: core.KindMessage, media: []meowMedia{{Type: "voice", MIMEType: "audio/ogg; codecs=opus"}}},
		{name: "audio file", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: s("audio/mpeg"), DirectPath: s("/v/mp3")}},
			kind: core.KindMessage, media: []meowMedia{{Type: "audio", MIMEType: "audio/mpeg"}}},
		{name: "video with caption", msg: &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: s("see"), Mimetype: s("video/mp4"), DirectPath: s("/v/vid")}},
			kind: core.KindMessage, text: "see", media: []meowMedia{{Type: "video", MIMEType: "video/mp4"}}},
		{name: "document with file name", msg: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: s("../receipt-2025-03-08.pdf"), Caption: s("Receipt"), Mimetype: s("application/pdf"), DirectPath: s("/v/doc")}},
			kind: core.KindMessage, text: "Receipt", media: []meowMedia{{Type: "file", MIMEType: "application/pdf", Filename: "receipt-2025-03-08.pdf"}}},
		{name: "sticker", msg: &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: s("image/webp"), DirectPath: s("/v/stk")}},
			kind: core.KindMessage, media: []meowMedia{{Type: "sticker", MIMEType: "image/webp"}}},
		{name: "location", msg: &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(47.6062), DegreesLongitude: proto.Float64(-122.3321), Name: s("Pike Place")}},
			kind: core.KindMessage, text: "📍 Location: Pike Place\nhttps://maps.google.com/?q=47.6062,-122.3321"},
		{name: "shared contact", msg: &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: s("Ana Souza"),
			Vcard: s("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Souza\r\nitem1.TEL;waid=15035550164:+1 503-555-0164\r\nTEL;TYPE=HOME:+1 503 555 0199\r\nEND:VCARD")}},
			kind: core.KindMessage, text: "👤 Shared contact: Ana Souza, +1 503-555-0164, +1 503 555 0199"},
		{name: "several shared contacts", msg: &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{Contacts: []*waE2E.ContactMessage{
			{DisplayName: s("A"), Vcard: s("TEL:+15035550101")}, {DisplayName: s("B")}}}},
			kind: core.KindMessage, text: "👤 Shared contact: A, +15035550101\n👤 Shared contact: B"},
		{name: "reaction", msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: &waCommon.MessageKey{ID: s("3EB0OUT1"), FromMe: proto.Bool(true)}, Text: s("👍")}},
			kind: core.KindReaction, text: "👍", target: "3EB0OUT1"},
		{name: "reaction taken back", msg: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: &waCommon.MessageKey{ID: s("3EB0OUT1")}, Text: s("")}},
			kind: core.KindReaction, target: "3EB0OUT1"},
		{name: "edit", msg: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
			Key: &waCommon.MessageKey{ID: s("ABCD1")}, EditedMessage: &waE2E.Message{Conversation: s("size L, not M")}}},
			kind: core.KindEdit, text: "size L, not M", target: "ABCD1"},
		{name: "revoke (deleted for everyone)", msg: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: s("ABCD1")}}},
			kind: core.KindDelete, target: "ABCD1"},
		{name: "button reply", msg: &waE2E.Message{ButtonsResponseMessage: &waE2E.ButtonsResponseMessage{SelectedButtonID: s("resched_yes"),
			Response: &waE2E.ButtonsResponseMessage_SelectedDisplayText{SelectedDisplayText: "Yes, reschedule"}}},
			kind: core.KindPostback, text: "Yes, reschedule", postback: &postback{Payload: "resched_yes", Title: "Yes, reschedule"}},
		{name: "unsupported content gets a placeholder", msg: &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{Name: s("Lunch?")}},
			kind: core.KindMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := convertMeow(testChannel, incoming("ABCD9", tc.msg))
			in := ev.In
			if ev.Skip != "" || ev.Filtered != "" {
				t.Fatalf("skipped (%q) or filtered (%q)", ev.Skip, ev.Filtered)
			}
			if in.Kind != tc.kind || in.Text != tc.text || in.Target != tc.target || ev.ReplyTo != tc.replyTo || in.ThreadKey != tc.replyTo {
				t.Errorf("got kind %q text %q target %q reply %q/%q; want %q %q %q %q", in.Kind, in.Text, in.Target, ev.ReplyTo, in.ThreadKey, tc.kind, tc.text, tc.target, tc.replyTo)
			}
			want := core.ContactRef{ID: "+12065550131", Phone: "+12065550131", Name: "Kemal Arslan", Verified: true}
			if in.Contact != want || in.ProviderMessageID != "ABCD9" || in.Channel != testChannel || in.ChannelType != Type ||
				!in.SentAt.Equal(time.Date(2025, 3, 13, 11, 0, 0, 0, time.UTC)) {
				t.Errorf("envelope %+v, want contact %+v, id ABCD9, sent 2025-03-13T11:00Z", in, want)
			}
			if len(ev.Media) != len(tc.media) {
				t.Fatalf("media = %+v, want %+v", ev.Media, tc.media)
			}
			for i, m := range ev.Media {
				w := tc.media[i]
				if m.Type != w.Type || m.MIMEType != w.MIMEType || m.Filename != w.Filename || m.Size != w.Size || m.File == nil {
					t.Errorf("media %d = %+v, want %+v with a file", i, m, w)
				}
			}
			if (ev.Postback == nil) != (tc.postback == nil) || (ev.Postback != nil && *ev.Postback != *tc.postback) {
				t.Errorf("postback = %+v, want %+v", ev.Postback, tc.postback)
			}
			if tc.name == "unsupported content gets a placeholder" && (len(ev.Unsupported) != 1 || ev.Unsupported[0] != "poll creation") {
				t.Errorf("unsupported = %v, want [poll creation]", ev.Unsupported)
			}
		})
	}
}

func TestConvertMeow_groups_status_newsletters_and_own_messages_are_filtered(t *testing.T) {
	text := &waE2E.Message{Conversation: s("hi")}
	tests := []struct {
		name string
		src  types.MessageSource
		want string
	}{
		{"group chat", types.MessageSource{Chat: types.NewJID("120363025246125486", types.GroupServer), Sender: jid("12065550131"), IsGroup: true}, "group"},
		{"status broadcast", types.MessageSource{Chat: types.StatusBroadcastJID, Sender: jid("12065550131"), IsGroup: true}, "status_broadcast"},
		{"newsletter", types.MessageSource{Chat: types.NewJID("1203630", types.NewsletterServer), Sender: jid("12065550131")}, "newsletter"},
		{"sent from the linked phone", types.MessageSource{Chat: jid("12065550131"), Sender: jid("14155550100"), IsFromMe: true}, "echo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evt := incoming("ID1", text)
			evt.Info.MessageSource = tc.src
			if ev := convertMeow(testChannel, evt); ev.Filtered != tc.want || ev.In.Kind != "" {
				t.Fatalf("filtered = %q kind %q, want %q and nothing stored", ev.Filtered, ev.In.Kind, tc.want)
			}
		})
	}
}

func TestConvertMeow_contact_identity(t *testing.T) {
	lid := types.NewJID("208746123458921", types.HiddenUserServer)
	tests := []struct {
		name string
		src  types.MessageSource
		want core.ContactRef
	}{
		{"phone JID", types.MessageSource{Chat: jid("12065550131"), Sender: jid("12065550131")}, core.ContactRef{ID: "+12065550131", Phone: "+12065550131", Verified: true}},
		{"hidden id with the phone as alternative", types.MessageSource{Chat: lid, Sender: lid, SenderAlt: jid("12065550131")}, core.ContactRef{ID: "+12065550131", Phone: "+12065550131", Verified: true}},
		{"hidden id alone is not verified", types.MessageSource{Chat: lid, Sender: lid}, core.ContactRef{ID: "lid:208746123458921"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := contactOf(tc.src)
			if !ok || got != tc.want {
				t.Fatalf("contactOf = %+v %v, want %+v", got, ok, tc.want)
			}
			back, ok := chatJID(got.ID)
			if !ok || (back != tc.src.Chat && back != tc.src.SenderAlt) {
				t.Fatalf("chatJID(%q) = %v %v, want the chat again", got.ID, back, ok)
			}
		})
	}
}

func TestConvertReceipt(t *testing.T) {
	at := time.Date(2025, 3, 13, 11, 4, 0, 0, time.UTC)
	direct := types.MessageSource{Chat: jid("12065550131"), Sender: jid("12065550131")}
	tests := []struct {
		name string
		evt  events.Receipt
		kind core.Kind
		n    int
	}{
		{"delivered", events.Receipt{MessageSource: direct, MessageIDs: []string{"A", "B"}, Type: types.ReceiptTypeDelivered, Timestamp: at}, core.KindDelivered, 2},
		{"read", events.Receipt{MessageSource: direct, MessageIDs: []string{"A"}, Type: types.ReceiptTypeRead, Timestamp: at}, core.KindRead, 1},
		{"voice note played", events.Receipt{MessageSource: direct, MessageIDs: []string{"A"}, Type: types.ReceiptTypePlayed, Timestamp: at}, core.KindRead, 1},
		{"read on the account's own phone", events.Receipt{MessageSource: types.MessageSource{Chat: jid("12065550131"), IsFromMe: true}, MessageIDs: []string{"A"}, Type: types.ReceiptTypeReadSelf}, "", 0},
		{"group", events.Receipt{MessageSource: types.MessageSource{Chat: types.NewJID("1203", types.GroupServer), IsGroup: true}, MessageIDs: []string{"A"}}, "", 0},
		{"retry", events.Receipt{MessageSource: direct, MessageIDs: []string{"A"}, Type: types.ReceiptTypeRetry}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := convertReceipt(testChannel, &tc.evt)
			if len(got) != tc.n {
				t.Fatalf("got %d receipts %+v, want %d", len(got), got, tc.n)
			}
			for i, in := range got {
				if in.Kind != tc.kind || in.Target != tc.evt.MessageIDs[i] || in.Contact.ID != "+12065550131" || !in.SentAt.Equal(at) {
					t.Errorf("receipt %d = %+v, want %s of %s", i, in, tc.kind, tc.evt.MessageIDs[i])
				}
			}
		})
	}
}
