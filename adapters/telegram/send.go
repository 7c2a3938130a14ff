package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// maxPhotoSize is the largest file sendPhoto takes; bigger images go as
// documents.
const maxPhotoSize = 10 << 20

// part is one Telegram message of an operator reply.
type part struct {
	method string // sendMessage, sendPhoto, sendVoice, sendAudio, sendVideo, sendDocument
	text   string // the message text, or the file's caption
	att    *core.Attachment
}

// Send delivers an operator reply to the contact's private chat (To.ID is
// the Telegram user id). Text longer than 4,096 UTF-16 code units goes as
// several messages; each attachment is one message, uploaded from the blob
// store, with the text as the first one's caption when it fits in 1,024.
// Every message waits its turn under the rate limits (one a second per
// chat, thirty per bot). The receipt's ProviderMessageID is
// "<chat_id>:<message_id>", with the ids of all parts comma-separated
// when there are several ("42:7,8").
//
// The parts already sent are kept in the channel's state under the
// message's idempotency key, so a retry after a partial failure sends only
// the rest. Telegram's refusals (400, 403 and other 4xx but 429) are
// permanent, with Telegram's description; 429 answers are waited out as
// retry_after says while ctx allows; anything else is temporary.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	chat, err := strconv.ParseInt(out.To.ID, 10, 64)
	if err != nil || chat == 0 {
		return core.SendReceipt{}, core.Permanent(fmt.Errorf("telegram send: contact id %q is not a Telegram user id", out.To.ID))
	}
	if err := ctx.Err(); err != nil {
		return core.SendReceipt{}, fmt.Errorf("telegram send: %w", err)
	}
	parts := plan(out)
	if len(parts) == 0 {
		return core.SendReceipt{}, core.Permanent(errors.New("telegram send: the message has neither text nor attachments"))
	}
	key := "send:" + out.IdempotencyKey
	if out.IdempotencyKey == "" {
		key = "send:" + out.MessageID
	}
	var done []int
	if len(parts) > 1 {
		if done, err = a.loadProgress(ctx, key); err != nil {
			return core.SendReceipt{}, err
		}
	}
	reply := replyTarget(chat, out.ReplyTo)
	for i := len(done); i < len(parts); i++ {
		if err := a.limits.wait(ctx, chat); err != nil {
			return core.SendReceipt{}, fmt.Errorf("telegram %s: %w", parts[i].method, err)
		}
		if i > 0 {
			reply = 0
		}
		id, err := a.sendPart(ctx, chat, parts[i], reply)
		if err != nil {
			a.log.WarnContext(ctx, "telegram reply not delivered", "message", out.MessageID, "part", i+1, "of", len(parts),
				"attempt", out.Attempt, "permanent", core.IsPermanent(err), "err", err)
			return core.SendReceipt{}, err
		}
		done = append(done, id)
		if len(parts) > 1 && i < len(parts)-1 {
			if err := a.saveProgress(ctx, key, done); err != nil {
				return core.SendReceipt{}, err
			}
		}
	}
	if len(parts) > 1 {
		if err := a.state.Delete(ctx, key); err != nil {
			a.log.WarnContext(ctx, "telegram send progress not cleared", "key", key, "err", err)
		}
	}
	return core.SendReceipt{ProviderMessageID: providerID(chat, done)}, nil
}

// plan cuts a reply into the messages that carry it.
func plan(out core.Outbound) []part {
	var parts []part
	text := out.Text
	caption := ""
	if len(out.Attachments) > 0 && utf16Len(text) <= MaxCaptionLen {
		caption, text = text, ""
	}
	if text != "" {
		for _, t := range splitText(text, MaxTextLen) {
			parts = append(parts, part{method: "sendMessage", text: t})
		}
	}
	for i := range out.Attachments {
		p := part{method: mediaMethod(out.Attachments[i]), att: &out.Attachments[i]}
		if i == 0 {
			p.text = caption
		}
		parts = append(parts, p)
	}
	return parts
}

// mediaMethod chooses how Telegram shows a file: photos, voice notes,
// music and videos natively, anything else as a document.
func mediaMethod(a core.Attachment) string {
	mt, _, _ := strings.Cut(strings.ToLower(a.MIMEType), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case a.Voice && (mt == "audio/ogg" || mt == "audio/mpeg" || mt == "audio/mp4"):
		return "sendVoice"
	case (mt == "image/jpeg" || mt == "image/png" || mt == "image/webp") && a.Size <= maxPhotoSize:
		return "sendPhoto"
	case mt == "audio/mpeg" || mt == "audio/mp4":
		return "sendAudio"
	case mt == "video/mp4":
		return "sendVideo"
	}
	return "sendDocument"
}

// sendPart sends one message, with reply (a message id in chat) quoted
// when non-zero, and returns its message id.
func (a *Adapter) sendPart(ctx context.Context, chat int64, p part, reply int) (int, error) {
	var sent tgbotapi.Message
	err := a.api.call(ctx, p.method, func(bot *tgbotapi.BotAPI) error {
		c, closeFile, err := a.chattable(ctx, chat, p, reply)
		if err != nil {
			return err
		}
		defer closeFile()
		sent, err = bot.Send(c)
		return err
	})
	switch {
	case err == nil:
		return sent.MessageID, nil
	case refused(err), errors.Is(err, core.ErrNotFound), core.ErrorCode(err) == core.CodeNotFound:
		return 0, core.Permanent(err)
	}
	return 0, err
}

// chattable builds the library's request for p; a file is streamed from
// the blob store, opened anew for every attempt.
func (a *Adapter) chattable(ctx context.Context, chat int64, p part, reply int) (tgbotapi.Chattable, func(), error) {
	base := tgbotapi.BaseChat{ChatID: chat, ReplyToMessageID: reply, AllowSendingWithoutReply: reply != 0}
	if p.att == nil {
		m := tgbotapi.NewMessage(chat, p.text)
		m.BaseChat = base
		return m, func() {}, nil
	}
	rc, err := a.blobs.Open(ctx, p.att.Blob)
	if err != nil {
		return nil, nil, fmt.Errorf("open blob %s: %w", p.att.Blob, err)
	}
	file := tgbotapi.BaseFile{BaseChat: base, File: tgbotapi.FileReader{Name: uploadName(*p.att), Reader: rc}}
	closeFile := func() { _ = rc.Close() } // the library closes it only after a complete upload
	switch p.method {
	case "sendPhoto":
		return tgbotapi.PhotoConfig{BaseFile: file, Caption: p.text}, closeFile, nil
	case "sendVoice":
		return tgbotapi.VoiceConfig{BaseFile: file, Caption: p.text}, closeFile, nil
	case "sendAudio":
		return tgbotapi.AudioConfig{BaseFile: file, Caption: p.text}, closeFile, nil
	case "sendVideo":
		return tgbotapi.VideoConfig{BaseFile: file, Caption: p.text}, closeFile, nil
	}
	return tgbotapi.DocumentConfig{BaseFile: file, Caption: p.text}, closeFile, nil
}

// uploadName is the file name Telegram shows; never empty.
func uploadName(a core.Attachment) string {
	if n := strings.TrimSpace(a.Filename); n != "" {
		return n
	}
	return "file"
}

// replyTarget is the message id of a provider id in chat, or 0.
func replyTarget(chat int64, providerID string) int {
	c, ids, err := parseProviderID(providerID)
	if err != nil || c != chat {
		return 0
	}
	return ids[0]
}

// providerID writes "<chat_id>:<id>[,<id>...]".
func providerID(chat int64, ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strconv.FormatInt(chat, 10) + ":" + strings.Join(s, ",")
}

// parseProviderID reads what providerID writes.
func parseProviderID(s string) (int64, []int, error) {
	c, list, ok := strings.Cut(s, ":")
	chat, err := strconv.ParseInt(c, 10, 64)
	if !ok || err != nil || chat == 0 {
		return 0, nil, fmt.Errorf("%q is not a Telegram message id", s)
	}
	var ids []int
	for _, f := range strings.Split(list, ",") {
		id, err := strconv.Atoi(f)
		if err != nil || id <= 0 {
			return 0, nil, fmt.Errorf("%q is not a Telegram message id", s)
		}
		ids = append(ids, id)
	}
	return chat, ids, nil
}

func (a *Adapter) loadProgress(ctx context.Context, key string) ([]int, error) {
	v, err := a.state.Get(ctx, key)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("telegram send: read progress: %w", err)
	}
	var ids []int
	if err := json.Unmarshal(v, &ids); err != nil {
		a.log.Warn("telegram send progress unreadable; sending every part", "key", key, "err", err)
		return nil, nil
	}
	return ids, nil
}

func (a *Adapter) saveProgress(ctx context.Context, key string, ids []int) error {
	v, _ := json.Marshal(ids) // []int always encodes
	if err := a.state.Put(ctx, key, v); err != nil {
		return fmt.Errorf("telegram send: save progress: %w", err)
	}
	return nil
}
