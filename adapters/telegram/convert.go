package telegram

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// Reasons an update creates nothing in the hub.
const (
	SkipNonPrivateChat   = "non_private_chat"
	SkipUnsupported      = "unsupported_update"
	SkipServiceMessage   = "service_message"
	unsupportedPlacehold = "[This Telegram message holds content Switchboard cannot show.]"
)

// event is what one update means for the hub, before its media are fetched.
// convert builds it without any I/O.
type event struct {
	UpdateID int
	// Skip, when set, is why the update creates nothing; SkipDetail says
	// what it was ("supergroup", "chat_boost").
	Skip       string
	SkipDetail string

	Kind              core.Kind
	ProviderMessageID string
	// Target is the message an edit or a postback refers to.
	Target  string
	Contact contact
	Text    string
	SentAt  time.Time
	// ReplyTo is the provider id of the message this one quotes.
	ReplyTo      string
	Media        []media
	Shared       *sharedContact
	StickerEmoji string
	MediaGroupID string
	// CallbackQueryID is answered (answerCallbackQuery) once the postback
	// is stored.
	CallbackQueryID string
}

// contact is the sender as Telegram describes them.
type contact struct {
	ID       string // user id
	Name     string // first + last name
	Username string
	Phone    string // E.164, only from a contact the user shared of themselves
}

// media is a file to fetch from the Bot API's file storage.
type media struct {
	Type     string // image, audio, voice, video, file, sticker
	FileID   string
	Filename string
	// MIMEType is what Telegram declares (or implies: photos are JPEG);
	// the stored type is sniffed from the bytes.
	MIMEType string
	Size     int64
	Duration int
}

// sharedContact is a phone contact the user sent.
type sharedContact struct {
	PhoneE164 string
	Name      string
	UserID    string
	IsSender  bool
	VCard     string
}

// convert says what u means for the hub. It fails, wrapping errMalformed,
// on a message without chat.
func convert(u update) (event, error) {
	ev := event{UpdateID: u.UpdateID}
	switch {
	case u.Message != nil:
		return convertMessage(ev, u.Message, core.KindMessage)
	case u.EditedMessage != nil:
		return convertMessage(ev, u.EditedMessage, core.KindEdit)
	case u.ChannelPost != nil:
		return skip(ev, SkipNonPrivateChat, "channel_post"), nil
	case u.EditedChannelPost != nil:
		return skip(ev, SkipNonPrivateChat, "edited_channel_post"), nil
	case u.CallbackQuery != nil:
		return convertCallback(ev, u.CallbackQuery)
	case u.libraryKind() != "":
		return skip(ev, SkipUnsupported, u.libraryKind()), nil
	}
	return skip(ev, SkipUnsupported, strings.Join(u.kinds, ",")), nil
}

func skip(ev event, reason, detail string) event {
	ev.Skip, ev.SkipDetail = reason, detail
	return ev
}

func convertMessage(ev event, m *message, kind core.Kind) (event, error) {
	if m.Chat == nil {
		return ev, fmt.Errorf("%w: message %d has no chat", errMalformed, m.MessageID)
	}
	if m.Chat.Type != "private" {
		return skip(ev, SkipNonPrivateChat, m.Chat.Type), nil
	}
	if m.Chat.ID == 0 || m.MessageID <= 0 || (m.From != nil && m.From.ID == 0) {
		return ev, fmt.Errorf("%w: message without chat, message or sender id", errMalformed)
	}
	ev.Kind = kind
	ev.Contact = sender(m.From, m.Chat)
	id := messageID(m.Chat.ID, m.MessageID)
	ev.SentAt = unixTime(m.Date)
	if kind == core.KindEdit {
		ev.Target = id
		if m.EditDate != 0 {
			ev.SentAt = unixTime(m.EditDate)
		}
	} else {
		ev.ProviderMessageID = id
	}
	if m.ReplyToMessage != nil {
		ev.ReplyTo = messageID(m.Chat.ID, m.ReplyToMessage.MessageID)
	}
	ev.MediaGroupID = m.MediaGroupID
	ev.Text = m.Text
	if ev.Text == "" {
		ev.Text = m.Caption
	}
	ev.Media = messageMedia(m)
	if m.Sticker != nil {
		ev.StickerEmoji = m.Sticker.Emoji
	}
	if c := m.Contact; c != nil {
		ev.Shared = shared(c, m.From)
		if ev.Shared.IsSender {
			ev.Contact.Phone = ev.Shared.PhoneE164
		}
	}
	if t := placeText(m); t != "" {
		ev.Text = joinText(ev.Text, t)
	}
	if ev.Text == "" && len(ev.Media) == 0 && ev.Shared == nil && kind == core.KindMessage {
		if serviceMessage(m) {
			return skip(ev, SkipServiceMessage, ""), nil
		}
		ev.Text = unsupportedPlacehold
	}
	return ev, nil
}

func convertCallback(ev event, q *tgbotapi.CallbackQuery) (event, error) {
	if q.Message == nil || q.Message.Chat == nil {
		return skip(ev, SkipUnsupported, "inline callback_query"), nil
	}
	if q.Message.Chat.Type != "private" {
		return skip(ev, SkipNonPrivateChat, q.Message.Chat.Type), nil
	}
	if q.ID == "" || q.Message.Chat.ID == 0 || q.Message.MessageID <= 0 || (q.From != nil && q.From.ID == 0) {
		return ev, fmt.Errorf("%w: callback_query without its id, chat, message or sender id", errMalformed)
	}
	ev.Kind = core.KindPostback
	ev.ProviderMessageID = "callback:" + q.ID
	ev.CallbackQueryID = q.ID
	ev.Contact = sender(q.From, q.Message.Chat)
	ev.Target = messageID(q.Message.Chat.ID, q.Message.MessageID)
	ev.Text = q.Data
	if ev.Text == "" {
		ev.Text = q.GameShortName
	}
	return ev, nil
}

// sender is the contact behind a private chat: the message's sender, or
// the chat itself when the sender is missing.
func sender(from *tgbotapi.User, chat *tgbotapi.Chat) contact {
	if from == nil {
		return contact{ID: strconv.FormatInt(chat.ID, 10), Name: fullName(chat.FirstName, chat.LastName), Username: chat.UserName}
	}
	return contact{ID: strconv.FormatInt(from.ID, 10), Name: fullName(from.FirstName, from.LastName), Username: from.UserName}
}

// messageID is the provider id of a message: "<chat_id>:<message_id>".
func messageID(chat int64, id int) string { return fmt.Sprintf("%d:%d", chat, id) }

func unixTime(s int) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0).UTC()
}

func fullName(first, last string) string { return strings.TrimSpace(first + " " + last) }

// messageMedia lists the files of m, in the order Telegram sends them.
func messageMedia(m *message) []media {
	var out []media
	if p := largestPhoto(m.Photo); p != nil {
		out = append(out, media{Type: "image", FileID: p.FileID, Filename: "photo.jpg", MIMEType: "image/jpeg", Size: int64(p.FileSize)})
	}
	if a := m.Animation; a != nil { // Telegram also sends it as document
		out = append(out, media{Type: "video", FileID: a.FileID, Filename: orName(a.FileName, "animation.mp4"),
			MIMEType: orMIME(a.MimeType, "video/mp4"), Size: int64(a.FileSize), Duration: a.Duration})
	} else if d := m.Document; d != nil {
		out = append(out, media{Type: "file", FileID: d.FileID, Filename: orName(d.FileName, "document"),
			MIMEType: orMIME(d.MimeType, "application/octet-stream"), Size: int64(d.FileSize)})
	}
	if a := m.Audio; a != nil {
		out = append(out, media{Type: "audio", FileID: a.FileID, Filename: orName(a.FileName, "audio.mp3"),
			MIMEType: orMIME(a.MimeType, "audio/mpeg"), Size: int64(a.FileSize), Duration: a.Duration})
	}
	if v := m.Voice; v != nil {
		out = append(out, media{Type: "voice", FileID: v.FileID, Filename: "voice.ogg",
			MIMEType: orMIME(v.MimeType, "audio/ogg"), Size: int64(v.FileSize), Duration: v.Duration})
	}
	if v := m.Video; v != nil {
		out = append(out, media{Type: "video", FileID: v.FileID, Filename: orName(v.FileName, "video.mp4"),
			MIMEType: orMIME(v.MimeType, "video/mp4"), Size: int64(v.FileSize), Duration: v.Duration})
	}
	if v := m.VideoNote; v != nil {
		out = append(out, media{Type: "video", FileID: v.FileID, Filename: "video-note.mp4",
			MIMEType: "video/mp4", Size: int64(v.FileSize), Duration: v.Duration})
	}
	if s := m.Sticker; s != nil {
		mt, name := "image/webp", "sticker.webp"
		switch {
		case s.IsAnimated:
			mt, name = "application/x-tgsticker", "sticker.tgs"
		case s.IsVideo:
			mt, name = "video/webm", "sticker.webm"
		}
		out = append(out, media{Type: "sticker", FileID: s.FileID, Filename: name, MIMEType: mt, Size: int64(s.FileSize)})
	}
	return out
}

// largestPhoto picks the biggest of a photo's sizes: by pixels, then bytes.
func largestPhoto(sizes []tgbotapi.PhotoSize) *tgbotapi.PhotoSize {
	var best *tgbotapi.PhotoSize
	for i := range sizes {
		p := &sizes[i]
		if p.FileID == "" {
			continue
		}
		if best == nil || p.Width*p.Height > best.Width*best.Height ||
			(p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize) {
			best = p
		}
	}
	return best
}

func orName(name, fallback string) string {
	if name = strings.TrimSpace(name); name != "" {
		return name
	}
	return fallback
}

func orMIME(mt, fallback string) string {
	if mt = strings.ToLower(strings.TrimSpace(mt)); mt != "" {
		return mt
	}
	return fallback
}

// shared describes a contact card the user sent. Its phone becomes the
// sender's only when the card is the sender's own (user_id == from.id).
func shared(c *tgbotapi.Contact, from *tgbotapi.User) *sharedContact {
	s := &sharedContact{PhoneE164: normalizePhone(c.PhoneNumber), Name: fullName(c.FirstName, c.LastName), VCard: c.VCard}
	if c.UserID != 0 {
		s.UserID = strconv.FormatInt(c.UserID, 10)
		s.IsSender = from != nil && c.UserID == from.ID
	}
	return s
}

// normalizePhone writes a phone number as Telegram sends it ("14155550188",
// "+49 151 ...") in E.164: "+" and the digits. Telegram's numbers carry
// their country code; a string that cannot be one (fewer than 7 or more
// than 15 digits, a leading 0, or other characters than digits, spaces,
// dots, dashes and brackets) gives "".
func normalizePhone(s string) string {
	var b strings.Builder
	b.WriteByte('+')
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return ""
		}
	}
	e := b.String()
	if n := len(e) - 1; n < 7 || n > 15 || e[1] == '0' {
		return ""
	}
	return e
}

// placeText renders content that has no file as text: locations, venues,
// dice and polls.
func placeText(m *message) string {
	switch {
	case m.Venue != nil:
		v := m.Venue
		return joinText(joinText(v.Title, v.Address), locationText(v.Location))
	case m.Location != nil:
		return locationText(*m.Location)
	case m.Dice != nil:
		return fmt.Sprintf("%s %d", m.Dice.Emoji, m.Dice.Value)
	case m.Poll != nil:
		lines := []string{"Poll: " + m.Poll.Question}
		for _, o := range m.Poll.Options {
			lines = append(lines, "- "+o.Text)
		}
		return strings.Join(lines, "\n")
	}
	return ""
}

func locationText(l tgbotapi.Location) string {
	lat := strconv.FormatFloat(l.Latitude, 'f', -1, 64)
	lon := strconv.FormatFloat(l.Longitude, 'f', -1, 64)
	return fmt.Sprintf("Location: %s, %s\nhttps://www.google.com/maps/search/?api=1&query=%s,%s", lat, lon, lat, lon)
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// serviceMessage reports a chat event rather than something the user
// wrote (a pin, an auto-delete timer change).
func serviceMessage(m *message) bool {
	return m.PinnedMessage != nil || m.MessageAutoDeleteTimerChanged != nil || len(m.NewChatMembers) > 0 ||
		m.LeftChatMember != nil || m.NewChatTitle != "" || len(m.NewChatPhoto) > 0 || m.DeleteChatPhoto ||
		m.GroupChatCreated || m.SuperGroupChatCreated || m.ChannelChatCreated || m.MigrateToChatID != 0 ||
		m.MigrateFromChatID != 0 || m.ProximityAlertTriggered != nil || m.VoiceChatScheduled != nil ||
		m.VoiceChatStarted != nil || m.VoiceChatEnded != nil || m.VoiceChatParticipantsInvited != nil ||
		m.ConnectedWebsite != "" || m.SuccessfulPayment != nil
}
