//go:build !nowhatsmeow

package whatsapp

import (
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/switchboard-hq/switchboard/core"
)

// meowEvent is one whatsmeow message event, converted. In is what the hub
// stores, its Kind empty when there is nothing to store.
type meowEvent struct {
	In core.Inbound
	// Media are the message's files, still to be downloaded.
	Media []meowMedia
	// Unsupported names content the adapter cannot store; the message gets
	// a placeholder line for each.
	Unsupported []string
	// ReplyTo is the id of the message this one quotes.
	ReplyTo  string
	Postback *postback
	// Filtered is why valid input is acknowledged without being stored:
	// group, status_broadcast, newsletter, echo (sent from the linked
	// phone itself).
	Filtered string
	// Skip names an event the adapter does not handle (protocol messages,
	// empty events); it is logged and acknowledged.
	Skip string
}

// meowMedia is a file of a message: its kind (image, audio, voice, video,
// file, sticker), what to download, and what the message declared.
type meowMedia struct {
	Type     string
	File     whatsmeow.DownloadableMessage
	MIMEType string
	Filename string
	Size     uint64
}

// convertMeow turns a message event into what the hub stores. It is pure,
// never panics, and reads only evt.Info and evt.Message (the content
// whatsmeow already unwrapped from ephemeral, view-once and edit
// envelopes).
func convertMeow(channel string, evt *events.Message) meowEvent {
	if evt == nil {
		return meowEvent{Skip: "empty event"}
	}
	info := evt.Info
	switch {
	case info.Chat == types.StatusBroadcastJID:
		return meowEvent{Filtered: "status_broadcast"}
	case info.Chat.Server == types.GroupServer || info.IsGroup && !info.Chat.IsBroadcastList():
		return meowEvent{Filtered: "group"}
	case info.Chat.Server == types.NewsletterServer:
		return meowEvent{Filtered: "newsletter"}
	case info.IsFromMe:
		return meowEvent{Filtered: "echo"}
	case info.ID == "":
		return meowEvent{Skip: "message without id"}
	}
	contact, ok := contactOf(info.MessageSource)
	if !ok {
		return meowEvent{Skip: fmt.Sprintf("message from %q, which is not a user", info.Sender.String())}
	}
	contact.Name = strings.TrimSpace(info.PushName)
	ev := meowEvent{In: core.Inbound{
		Channel: channel, ChannelType: Type, Kind: core.KindMessage, ProviderMessageID: info.ID,
		Contact: contact, SentAt: info.Timestamp.UTC(),
	}}
	m := evt.Message
	if m == nil {
		return meowEvent{Skip: "message without content"}
	}
	if p := m.GetProtocolMessage(); p != nil {
		return convertProtocol(ev, p)
	}
	if r := m.GetReactionMessage(); r != nil {
		if r.GetKey().GetID() == "" {
			return meowEvent{Skip: "reaction without target"}
		}
		ev.In.Kind, ev.In.Target, ev.In.Text = core.KindReaction, r.GetKey().GetID(), r.GetText()
		return ev
	}
	ev.content(m)
	if ctx := contextInfo(m); ctx.GetStanzaID() != "" {
		ev.ReplyTo = ctx.GetStanzaID()
		ev.In.ThreadKey = ev.ReplyTo
	}
	if ev.In.Kind == core.KindMessage && ev.In.Text == "" && len(ev.Media) == 0 && len(ev.Unsupported) == 0 {
		ev.Unsupported = append(ev.Unsupported, "unknown")
	}
	return ev
}

// content fills ev from the first kind of content m carries.
func (ev *meowEvent) content(m *waE2E.Message) {
	switch {
	case m.Conversation != nil:
		ev.In.Text = m.GetConversation()
	case m.ExtendedTextMessage != nil:
		ev.In.Text = m.GetExtendedTextMessage().GetText()
	case m.ImageMessage != nil:
		x := m.GetImageMessage()
		ev.In.Text = x.GetCaption()
		ev.media("image", x, x.GetMimetype(), "", x.GetFileLength())
	case m.AudioMessage != nil:
		x := m.GetAudioMessage()
		typ := "audio"
		if x.GetPTT() {
			typ = "voice"
		}
		ev.media(typ, x, x.GetMimetype(), "", x.GetFileLength())
	case m.VideoMessage != nil:
		x := m.GetVideoMessage()
		ev.In.Text = x.GetCaption()
		ev.media("video", x, x.GetMimetype(), "", x.GetFileLength())
	case m.PtvMessage != nil:
		x := m.GetPtvMessage()
		ev.media("video", x, x.GetMimetype(), "", x.GetFileLength())
	case m.DocumentMessage != nil:
		x := m.GetDocumentMessage()
		ev.In.Text = x.GetCaption()
		name := x.GetFileName()
		if name == "" {
			name = x.GetTitle()
		}
		ev.media("file", x, x.GetMimetype(), name, x.GetFileLength())
	case m.StickerMessage != nil:
		x := m.GetStickerMessage()
		ev.media("sticker", x, x.GetMimetype(), "", x.GetFileLength())
	case m.LocationMessage != nil:
		x := m.GetLocationMessage()
		ev.In.Text = locationText(x.GetName(), x.GetAddress(), x.GetDegreesLatitude(), x.GetDegreesLongitude())
	case m.LiveLocationMessage != nil:
		x := m.GetLiveLocationMessage()
		ev.In.Text = locationText("live location", x.GetCaption(), x.GetDegreesLatitude(), x.GetDegreesLongitude())
	case m.ContactMessage != nil:
		x := m.GetContactMessage()
		ev.In.Text = contactText(x.GetDisplayName(), vcardPhones(x.GetVcard()))
	case m.ContactsArrayMessage != nil:
		for _, x := range m.GetContactsArrayMessage().GetContacts() {
			ev.In.Text = joinLines(ev.In.Text, contactText(x.GetDisplayName(), vcardPhones(x.GetVcard())))
		}
	case m.ButtonsResponseMessage != nil:
		x := m.GetButtonsResponseMessage()
		ev.postback(x.GetSelectedButtonID(), x.GetSelectedDisplayText())
	case m.TemplateButtonReplyMessage != nil:
		x := m.GetTemplateButtonReplyMessage()
		ev.postback(x.GetSelectedID(), x.GetSelectedDisplayText())
	case m.ListResponseMessage != nil:
		x := m.GetListResponseMessage()
		ev.postback(x.GetSingleSelectReply().GetSelectedRowID(), x.GetTitle())
	default:
		ev.Unsupported = append(ev.Unsupported, contentKind(m))
	}
}

func (ev *meowEvent) media(typ string, file whatsmeow.DownloadableMessage, mimeType, name string, size uint64) {
	ev.Media = append(ev.Media, meowMedia{Type: typ, File: file, MIMEType: mimeType, Filename: core.CleanFilename(name), Size: size})
}

func (ev *meowEvent) postback(payload, title string) {
	ev.In.Kind, ev.Postback = core.KindPostback, &postback{Payload: payload, Title: title}
	ev.In.Text = title
	if ev.In.Text == "" {
		ev.In.Text = payload
	}
}

// convertProtocol reads a contact's revoke (deleted for everyone) or edit;
// other protocol messages (key shares, history sync, settings) are not
// conversation content.
func convertProtocol(ev meowEvent, p *waE2E.ProtocolMessage) meowEvent {
	target := p.GetKey().GetID()
	switch p.GetType() {
	case waE2E.ProtocolMessage_REVOKE:
		if target == "" {
			return meowEvent{Skip: "revoke without target"}
		}
		ev.In.Kind, ev.In.Target = core.KindDelete, target
		return ev
	case waE2E.ProtocolMessage_MESSAGE_EDIT:
		edited := meowEvent{}
		if p.GetEditedMessage() != nil {
			edited.content(p.GetEditedMessage())
		}
		if target == "" || edited.In.Text == "" {
			return meowEvent{Skip: "edit without target or text"}
		}
		ev.In.Kind, ev.In.Target, ev.In.Text = core.KindEdit, target, edited.In.Text
		return ev
	}
	return meowEvent{Skip: "protocol message " + p.GetType().String()}
}

// contactOf is the contact behind a direct message: their phone number in
// E.164, a verified identity, when the sender or its alternative address
// is a phone JID; otherwise their hidden id ("lid:...", not verified).
func contactOf(src types.MessageSource) (core.ContactRef, bool) {
	for _, jid := range []types.JID{src.Sender, src.SenderAlt, src.Chat} {
		if jid.Server == types.DefaultUserServer {
			if phone, ok := e164(jid.User); ok {
				return core.ContactRef{ID: phone, Phone: phone, Verified: true}, true
			}
		}
	}
	for _, jid := range []types.JID{src.Sender, src.Chat} {
		if jid.Server == types.HiddenUserServer && jid.User != "" {
			return core.ContactRef{ID: lidPrefix + jid.User}, true
		}
	}
	return core.ContactRef{}, false
}

// lidPrefix marks a contact known only by WhatsApp's hidden id.
const lidPrefix = "lid:"

// chatJID is the WhatsApp address of a contact id made by contactOf.
func chatJID(contactID string) (types.JID, bool) {
	if lid, ok := strings.CutPrefix(contactID, lidPrefix); ok && lid != "" && strings.Trim(lid, "0123456789") == "" {
		return types.NewJID(lid, types.HiddenUserServer), true
	}
	digits, ok := waID(contactID)
	if !ok {
		return types.JID{}, false
	}
	return types.NewJID(digits, types.DefaultUserServer), true
}

// contextInfo is the quote and mention data of m's content, if any.
func contextInfo(m *waE2E.Message) *waE2E.ContextInfo {
	for _, c := range []interface{ GetContextInfo() *waE2E.ContextInfo }{
		m.GetExtendedTextMessage(), m.GetImageMessage(), m.GetAudioMessage(), m.GetVideoMessage(),
		m.GetDocumentMessage(), m.GetStickerMessage(), m.GetLocationMessage(), m.GetContactMessage(),
		m.GetContactsArrayMessage(), m.GetPtvMessage(), m.GetButtonsResponseMessage(),
		m.GetTemplateButtonReplyMessage(), m.GetListResponseMessage(),
	} {
		if ci := c.GetContextInfo(); ci != nil {
			return ci
		}
	}
	return nil
}

// contentKind names unsupported content for its placeholder: the name of
// the first field set ("pollCreationMessageV3" becomes "poll creation").
func contentKind(m *waE2E.Message) string {
	kind := "unknown"
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		name := string(fd.Name())
		if name == "messageContextInfo" {
			return true
		}
		kind = humanKind(name)
		return false
	})
	return kind
}

// humanKind turns a protobuf field name into words: "pollCreationMessageV3"
// becomes "poll creation".
func humanKind(field string) string {
	field = strings.TrimRight(field, "0123456789")
	field = strings.TrimSuffix(strings.TrimSuffix(field, "V"), "Message")
	var b strings.Builder
	for i, r := range field {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}
