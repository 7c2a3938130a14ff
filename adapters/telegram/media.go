package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// attachments stores the files of ev in the blob store and returns them
// with ev's text. A file Telegram will not hand out (over the Bot API's
// 20 MB download limit, gone) or larger than the channel accepts is not
// a reason to lose the message: the text then says which file is missing
// and why. Network and server failures are returned, to try again later.
func (a *Adapter) attachments(ctx context.Context, ev event) ([]core.Attachment, string, error) {
	text := ev.Text
	var out []core.Attachment
	for _, m := range ev.Media {
		att, err := a.fetch(ctx, m)
		switch {
		case err == nil:
			out = append(out, att)
			if !sameType(att.MIMEType, m.MIMEType) {
				a.log.DebugContext(ctx, "telegram file type differs from the declared one",
					"update_id", ev.UpdateID, "declared", m.MIMEType, "sniffed", att.MIMEType)
			}
		case refused(err) || core.ErrorCode(err) == core.CodeTooLarge:
			a.log.WarnContext(ctx, "telegram file not stored", "update_id", ev.UpdateID, "file_id", m.FileID, "err", err)
			text = joinText(text, fmt.Sprintf("[%s %s could not be downloaded: %s]", m.Type, m.Filename, reason(err)))
		default:
			return nil, "", err
		}
	}
	if s := ev.Shared; s != nil {
		att, err := a.storeVCard(ctx, s)
		if err != nil {
			return nil, "", err
		}
		out = append(out, att)
	}
	return out, text, nil
}

// fetch downloads one file: getFile names its path, and the file API
// serves it from <api_url>/file/bot<token>/<file_path> (the library's
// GetFileDirectURL ignores a custom api_url).
func (a *Adapter) fetch(ctx context.Context, m media) (core.Attachment, error) {
	limit := a.caps.MaxSize()
	if m.Size > limit {
		return core.Attachment{}, core.TooLargef("the file is %d bytes; the channel accepts up to %d", m.Size, limit)
	}
	var f tgbotapi.File
	err := a.api.call(ctx, "getFile", func(bot *tgbotapi.BotAPI) error {
		var err error
		f, err = bot.GetFile(tgbotapi.FileConfig{FileID: m.FileID})
		return err
	})
	if err != nil {
		return core.Attachment{}, err
	}
	if f.FilePath == "" {
		return core.Attachment{}, &APIError{Method: "getFile", Code: http.StatusNotFound, Description: "no file_path in the answer"}
	}
	if a.api.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.api.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.api.files+strings.TrimPrefix(f.FilePath, "/"), nil)
	if err != nil {
		return core.Attachment{}, &APIError{Method: "file download", Code: http.StatusBadRequest, Description: "bad file_path"}
	}
	resp, err := a.api.client.Do(req)
	if err != nil {
		return core.Attachment{}, classify("file download", 0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return core.Attachment{}, &APIError{Method: "file download", Code: resp.StatusCode, Description: strings.ToLower(http.StatusText(resp.StatusCode))}
	}
	blob, err := a.blobs.Put(ctx, resp.Body, limit)
	if err != nil {
		return core.Attachment{}, fmt.Errorf("telegram file %s: store: %w", m.FileID, err)
	}
	return core.Attachment{Filename: m.Filename, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref, Voice: m.Type == "voice"}, nil
}

// storeVCard keeps a shared contact as a vCard file: the card Telegram
// forwarded, or one made of its name and phone.
func (a *Adapter) storeVCard(ctx context.Context, s *sharedContact) (core.Attachment, error) {
	card := s.VCard
	if card == "" {
		card = vCard(s)
	}
	blob, err := a.blobs.Put(ctx, strings.NewReader(card), a.caps.MaxSize())
	if err != nil {
		return core.Attachment{}, fmt.Errorf("telegram shared contact: store: %w", err)
	}
	name := s.Name
	if name == "" {
		name = "contact"
	}
	return core.Attachment{Filename: name + ".vcf", MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}, nil
}

// vCard writes a minimal vCard 3.0 (RFC 2426) for a shared contact.
func vCard(s *sharedContact) string {
	esc := strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\n", `\n`, "\r", "")
	var b strings.Builder
	b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\n")
	fmt.Fprintf(&b, "FN:%s\r\n", esc.Replace(s.Name))
	if s.PhoneE164 != "" {
		fmt.Fprintf(&b, "TEL;TYPE=CELL:%s\r\n", s.PhoneE164)
	}
	if s.UserID != "" {
		fmt.Fprintf(&b, "X-TELEGRAM-USER-ID:%s\r\n", s.UserID)
	}
	b.WriteString("END:VCARD\r\n")
	return b.String()
}

func reason(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Description
	}
	return err.Error()
}

func sameType(a, b string) bool {
	a, _, _ = strings.Cut(a, ";")
	b, _, _ = strings.Cut(b, ";")
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
