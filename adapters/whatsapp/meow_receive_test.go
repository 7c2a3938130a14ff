//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-hq/switchboard/core"
)

func TestMeowReceive_media_is_downloaded_into_the_blob_store(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	e.fake.media["/v/img"] = sampleJPEG
	e.fake.media["/v/ptt"] = sampleOgg
	e.fake.media["/v/doc"] = samplePDF
	for _, m := range []*events.Message{
		incoming("IMG1", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: s("Wrong colour"), Mimetype: s("image/jpeg"), DirectPath: s("/v/img")}}),
		incoming("PTT1", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: s("audio/ogg; codecs=opus"), DirectPath: s("/v/ptt")}}),
		incoming("DOC1", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: s("receipt.pdf"), Mimetype: s("application/pdf"), DirectPath: s("/v/doc")}}),
		incoming("GONE1", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: s("old"), Mimetype: s("image/jpeg"), DirectPath: s("/v/expired")}}),
	} {
		if !e.fake.dispatch(m) {
			t.Fatalf("%s: the handler refused the message", m.Info.ID)
		}
	}
	tests := []struct {
		id, text, name, mime string
		voice                bool
		data                 []byte
	}{
		{"IMG1", "Wrong colour", "image.jpg", "image/jpeg", false, sampleJPEG},
		{"PTT1", "", "voice.ogg", "audio/ogg", true, sampleOgg},
		{"DOC1", "", "receipt.pdf", "application/pdf", false, samplePDF},
		{"GONE1", "old\n[WhatsApp: the contact sent an image that could not be downloaded (download failed with status code 404)]", "", "", false, nil},
	}
	for _, tc := range tests {
		m, err := e.store.MessageByProviderID(context.Background(), testChannel, tc.id)
		if err != nil {
			t.Fatalf("%s not stored: %v", tc.id, err)
		}
		if m.Text != tc.text {
			t.Errorf("%s: text %q, want %q", tc.id, m.Text, tc.text)
		}
		if tc.data == nil {
			if len(m.Attachments) != 0 {
				t.Errorf("%s: %d attachments, want none", tc.id, len(m.Attachments))
			}
			continue
		}
		if len(m.Attachments) != 1 {
			t.Fatalf("%s: %d attachments, want 1", tc.id, len(m.Attachments))
		}
		a := m.Attachments[0]
		if a.Filename != tc.name || a.MIMEType != tc.mime || a.Voice != tc.voice || a.Size != int64(len(tc.data)) {
			t.Errorf("%s: attachment %+v, want %s (%s, voice %v, %d bytes)", tc.id, a, tc.name, tc.mime, tc.voice, len(tc.data))
		}
	}
}

func TestMeowReceive_a_message_the_hub_cannot_store_stays_unacknowledged(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	msg := incoming("RETRY1", &waE2E.Message{Conversation: s("are you there?")})
	e.rec.failWith(errors.New("database is locked"))
	if e.fake.dispatch(msg) {
		t.Fatal("the handler acknowledged a message that was not stored")
	}
	e.rec.failWith(nil)
	for range 2 { // WhatsApp's redelivery, then a duplicate
		if !e.fake.dispatch(msg) {
			t.Fatal("the redelivery was refused")
		}
	}
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, "RETRY1")
	if err != nil {
		t.Fatal(err)
	}
	if msgs, _ := e.store.Messages(context.Background(), m.ConversationID); len(msgs) != 1 {
		t.Fatalf("conversation holds %d messages, want 1", len(msgs))
	}
}

func TestMeowReceive_edits_revokes_and_receipts_change_the_stored_messages(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	e.run()
	e.waitHealth(HealthConnected)
	ctx := context.Background()
	e.fake.dispatch(incoming("ORIG1", &waE2E.Message{Conversation: s("size M")}))
	e.fake.dispatch(incoming("EDIT1", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: &waCommon.MessageKey{ID: s("ORIG1")},
		EditedMessage: &waE2E.Message{Conversation: s("size L")}}}))
	orig, _ := e.store.MessageByProviderID(ctx, testChannel, "ORIG1")
	if orig.Text != "size L" || orig.EditedAt == nil {
		t.Fatalf("after the edit: %q edited %v, want size L, edited", orig.Text, orig.EditedAt)
	}
	e.fake.dispatch(incoming("REVOKE1", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: s("ORIG1")}}}))
	if orig, _ = e.store.MessageByProviderID(ctx, testChannel, "ORIG1"); orig.DeletedAt == nil || orig.Text != "size L" {
		t.Fatalf("after the revoke: %+v, want it kept for operators, marked deleted", orig)
	}

	op, conv := e.assign("ORIG1")
	reply, err := e.hub.Send(ctx, op, conv, core.Reply{Text: "Done!"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(reply); err != nil {
		t.Fatal(err)
	}
	sent := e.message(reply.ID)
	receipt := func(typ types.ReceiptType) *events.Receipt {
		return &events.Receipt{MessageSource: types.MessageSource{Chat: jid("12065550131"), Sender: jid("12065550131")},
			MessageIDs: []string{sent.ProviderMessageID}, Type: typ, Timestamp: time.Now()}
	}
	for _, step := range []struct {
		typ  types.ReceiptType
		want core.DeliveryStatus
	}{{types.ReceiptTypeDelivered, core.DeliveryDelivered}, {types.ReceiptTypeRead, core.DeliveryRead}, {types.ReceiptTypeDelivered, core.DeliveryRead}} {
		if !e.fake.dispatch(receipt(step.typ)) {
			t.Fatal("receipt refused")
		}
		if got := e.message(reply.ID).Status; got != step.want {
			t.Fatalf("after a %q receipt: %s, want %s", step.typ, got, step.want)
		}
	}
}
