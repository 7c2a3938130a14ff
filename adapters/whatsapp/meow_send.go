//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/switchboard-hq/switchboard/core"
)

// deleteWait bounds how long a deletion waits for a disconnected session:
// an operator is waiting for the answer.
const deleteWait = 15 * time.Second

// send delivers an operator reply through the linked account: the text as
// a message (or as the caption of the first image, video or document),
// then each file uploaded and sent. While the session is down the reply
// waits for it, up to send_timeout from its first attempt; past that it
// fails with the reason. Each message is paced per chat and sent under an
// id derived from the reply, so a retry after an unclear failure reuses
// the id instead of making a second message.
func (d *meowDriver) send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	chat, ok := chatJID(out.To.ID)
	if !ok {
		return core.SendReceipt{}, core.Permanent(fmt.Errorf("the contact's WhatsApp id %q is neither a phone number nor a WhatsApp id", out.To.ID))
	}
	key := replyKey(out)
	cl, err := d.waitConnected(ctx, d.firstTry(key), d.a.cfg.SendTimeout)
	if err != nil {
		if core.IsPermanent(err) {
			d.forgetTry(key)
		}
		return core.SendReceipt{}, err
	}
	rc, err := d.a.sendParts(ctx, out, replyParts(out.Text, out.Attachments), func(ctx context.Context, i int, p part) (string, error) {
		replyTo := ""
		if i == 0 {
			replyTo = out.ReplyTo
		}
		return d.sendPart(ctx, cl, chat, partID(d.a.name, key, i), replyTo, p)
	})
	if err == nil || core.IsPermanent(err) {
		d.forgetTry(key)
	}
	return rc, err
}

// firstTry returns when the reply keyed key first tried to go.
func (d *meowDriver) firstTry(key string) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.waits[key]
	if !ok {
		t = time.Now()
		d.waits[key] = t
	}
	return t
}

func (d *meowDriver) forgetTry(key string) {
	d.mu.Lock()
	delete(d.waits, key)
	d.mu.Unlock()
}

// waitConnected returns the client once the session is connected. It
// fails with ctx's error when ctx ends, and permanently, with the
// session's state, once limit has passed since since.
func (d *meowDriver) waitConnected(ctx context.Context, since time.Time, limit time.Duration) (client, error) {
	for {
		h, changed := d.hs.get()
		if cl := d.client(); h.State == HealthConnected && cl != nil {
			return cl, nil
		}
		left := limit - time.Since(since)
		if left <= 0 {
			why := h.State
			if h.Detail != "" {
				why += ": " + h.Detail
			}
			return nil, core.Permanent(fmt.Errorf("WhatsApp is %s; the message waited %s for the connection and was not sent", why, limit))
		}
		t := time.NewTimer(left)
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// partID is the WhatsApp id of part i of a reply: stable across retries,
// in the form of WhatsApp Web's own ids.
func partID(channel, key string, i int) types.MessageID {
	sum := sha256.Sum256([]byte(channel + "\x00" + key + "\x00" + strconv.Itoa(i)))
	return whatsmeow.WebMessageIDPrefix + strings.ToUpper(hex.EncodeToString(sum[:9]))
}

func (d *meowDriver) sendPart(ctx context.Context, cl client, chat types.JID, id types.MessageID, replyTo string, p part) (string, error) {
	msg, err := d.buildMessage(ctx, cl, chat, replyTo, p)
	if err != nil {
		return "", err
	}
	if err := d.pace.wait(ctx, chat.String()); err != nil {
		return "", err
	}
	resp, err := cl.SendMessage(ctx, chat, msg, whatsmeow.SendRequestExtra{ID: id})
	if err != nil {
		return "", sendError(err)
	}
	if resp.ID != "" {
		id = resp.ID
	}
	return id, nil
}

// sendError classifies a SendMessage failure: what WhatsApp refused for
// good is permanent; a lost connection, a timeout or anything unknown is
// retried.
func sendError(err error) error {
	switch {
	case errors.Is(err, whatsmeow.ErrServerReturnedError), errors.Is(err, whatsmeow.ErrRecipientADJID),
		errors.Is(err, whatsmeow.ErrUnknownServer), errors.Is(err, whatsmeow.ErrBroadcastListUnsupported),
		errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return core.Permanent(fmt.Errorf("WhatsApp refused the message: %w", err))
	}
	return fmt.Errorf("whatsapp send: %w", err)
}

// buildMessage makes the WhatsApp message of one part, uploading its file.
func (d *meowDriver) buildMessage(ctx context.Context, cl client, chat types.JID, replyTo string, p part) (*waE2E.Message, error) {
	var quote *waE2E.ContextInfo
	if replyTo != "" {
		quote = &waE2E.ContextInfo{
			StanzaID: proto.String(replyTo), Participant: proto.String(chat.String()),
			QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
		}
	}
	if p.att == nil {
		if quote == nil {
			return &waE2E.Message{Conversation: proto.String(p.text)}, nil
		}
		return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(p.text), ContextInfo: quote}}, nil
	}
	att := *p.att
	kind := mediaKind(att.MIMEType)
	data, err := d.readBlob(ctx, att, kind)
	if err != nil {
		return nil, err
	}
	up, err := cl.Upload(ctx, data, map[string]whatsmeow.MediaType{
		"image": whatsmeow.MediaImage, "audio": whatsmeow.MediaAudio, "video": whatsmeow.MediaVideo, "document": whatsmeow.MediaDocument,
	}[kind])
	if err != nil {
		return nil, fmt.Errorf("whatsapp upload of %s: %w", att.Filename, err)
	}
	var caption *string
	if p.caption != "" {
		caption = proto.String(p.caption)
	}
	mimeType := proto.String(att.MIMEType)
	switch kind {
	case "image":
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption: caption, Mimetype: mimeType, ContextInfo: quote,
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: &up.FileLength,
		}}, nil
	case "audio":
		if att.Voice && strings.HasPrefix(att.MIMEType, "audio/ogg") {
			mimeType = proto.String("audio/ogg; codecs=opus") // what WhatsApp plays as a voice note
		}
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			PTT: proto.Bool(att.Voice), Mimetype: mimeType, ContextInfo: quote,
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: &up.FileLength,
		}}, nil
	case "video":
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			Caption: caption, Mimetype: mimeType, ContextInfo: quote,
			URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: &up.FileLength,
		}}, nil
	}
	name := outName(att)
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		Caption: caption, Mimetype: mimeType, FileName: proto.String(name), Title: proto.String(name), ContextInfo: quote,
		URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey,
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: &up.FileLength,
	}}, nil
}

// readBlob reads an attachment's bytes, within WhatsApp's limit for its
// kind: whatsmeow encrypts a file whole.
func (d *meowDriver) readBlob(ctx context.Context, att core.Attachment, kind string) ([]byte, error) {
	rc, err := d.a.blobs.Open(ctx, att.Blob)
	if err != nil {
		if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
			return nil, core.Permanent(fmt.Errorf("attachment %s is no longer stored", att.Filename))
		}
		return nil, fmt.Errorf("open blob %s: %w", att.Blob, err)
	}
	defer rc.Close()
	limit := maxDocumentSize
	if kind != "document" {
		limit = maxMediaSize
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", att.Blob, err)
	}
	if int64(len(data)) > limit {
		return nil, core.Permanent(fmt.Errorf("attachment %s is larger than %s", att.Filename, megabytes(limit)))
	}
	return data, nil
}

// revoke deletes a sent message for everyone (BuildRevoke + SendMessage).
func (d *meowDriver) revoke(ctx context.Context, m core.Message, to core.ContactRef) error {
	chat, ok := chatJID(to.ID)
	if !ok {
		return core.Invalidf("the contact's WhatsApp id %q is not a phone number", to.ID)
	}
	cl, err := d.waitConnected(ctx, time.Now(), deleteWait)
	if err != nil {
		return unwrapPermanent(err)
	}
	if _, err := cl.SendMessage(ctx, chat, cl.BuildRevoke(chat, types.EmptyJID, m.ProviderMessageID)); err != nil {
		return unwrapPermanent(sendError(err))
	}
	return nil
}

// markRead sends read receipts for the contact's messages.
func (d *meowDriver) markRead(ctx context.Context, to core.ContactRef, ids []string) error {
	chat, ok := chatJID(to.ID)
	if !ok {
		return core.Invalidf("the contact's WhatsApp id %q is not a phone number", to.ID)
	}
	cl, err := d.waitConnected(ctx, time.Now(), deleteWait)
	if err != nil {
		return unwrapPermanent(err)
	}
	msgIDs := make([]types.MessageID, len(ids))
	copy(msgIDs, ids)
	if err := cl.MarkRead(ctx, msgIDs, time.Now(), chat, types.EmptyJID); err != nil {
		return fmt.Errorf("whatsapp read receipt: %w", err)
	}
	return nil
}

// checkSend has nothing beyond the Adapter's checks: a linked account
// writes to anyone at any time.
func (d *meowDriver) checkSend(context.Context, core.SendCheck) error { return nil }

// webhook is nil: WhatsApp never calls the hub.
func (d *meowDriver) webhook() http.Handler { return nil }

// unwrapPermanent drops the bus's permanent marker from an error answered
// to an operator directly.
func unwrapPermanent(err error) error {
	var p *core.PermanentError
	if errors.As(err, &p) {
		return p.Err
	}
	return err
}
