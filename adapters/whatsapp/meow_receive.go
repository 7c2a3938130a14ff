//go:build !nowhatsmeow

package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/switchboard-hq/switchboard/core"
)

// receiveTimeout bounds the storing of one event, media included.
const receiveTimeout = 2 * time.Minute

// receiveMessage stores one message event. It reports false, leaving the
// message unacknowledged for WhatsApp to deliver again, only when retrying
// may help (the store or a media download temporarily failed).
func (d *meowDriver) receiveMessage(ctx context.Context, evt *events.Message) bool {
	ev := convertMeow(d.a.name, evt)
	switch {
	case ev.Skip != "":
		d.a.log.Debug("whatsapp event skipped", "reason", ev.Skip, "id", evt.Info.ID)
		return true
	case ev.Filtered != "":
		d.a.log.Debug("whatsapp message filtered", "reason", ev.Filtered, "id", evt.Info.ID, "chat", evt.Info.Chat.String())
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, receiveTimeout)
	defer cancel()
	in := ev.In
	if in.Kind == core.KindMessage || in.Kind == core.KindPostback {
		var failed []string
		for _, m := range ev.Media {
			att, err := d.download(ctx, m)
			switch {
			case err == nil:
				in.Attachments = append(in.Attachments, att)
			case core.IsPermanent(err):
				d.a.log.Warn("inbound media not stored", "id", in.ProviderMessageID, "type", m.Type, "reason", err.Error())
				failed = append(failed, fmt.Sprintf("the contact sent %s that could not be downloaded (%v)", article(m.Type), err))
			default:
				d.a.log.Error("inbound media not downloaded; WhatsApp will deliver the message again", "id", in.ProviderMessageID, "err", err)
				return false
			}
		}
		in.Text = placeholderText(in.Text, ev.Unsupported, failed)
	}
	if err := d.a.receive(ctx, in); err != nil {
		d.a.log.Error("whatsapp message not stored; WhatsApp will deliver it again", "id", in.ProviderMessageID, "err", err)
		return false
	}
	return true
}

// download fetches and decrypts one file into the blob store. Media that
// WhatsApp no longer has (403, 404, 410) or that fails its checks is a
// permanent failure.
func (d *meowDriver) download(ctx context.Context, m meowMedia) (core.Attachment, error) {
	if m.Size > uint64(maxDocumentSize) {
		return core.Attachment{}, core.Permanent(fmt.Errorf("larger than %s", megabytes(maxDocumentSize)))
	}
	cl := d.client()
	if cl == nil {
		return core.Attachment{}, errors.New("no WhatsApp session")
	}
	data, err := cl.Download(ctx, m.File)
	switch {
	case errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403), errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404),
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410), errors.Is(err, whatsmeow.ErrNoURLPresent),
		errors.Is(err, whatsmeow.ErrFileLengthMismatch), errors.Is(err, whatsmeow.ErrInvalidMediaHMAC),
		errors.Is(err, whatsmeow.ErrInvalidMediaEncSHA256), errors.Is(err, whatsmeow.ErrInvalidMediaSHA256),
		errors.Is(err, whatsmeow.ErrUnknownMediaType), errors.Is(err, whatsmeow.ErrTooShortFile):
		return core.Attachment{}, core.Permanent(err)
	case err != nil:
		return core.Attachment{}, fmt.Errorf("whatsapp media download: %w", err)
	}
	return d.a.store(ctx, bytes.NewReader(data), mediaName(m.Filename, m.Type, m.MIMEType), m.Type == "voice")
}

// receiveReceipt applies the contact's delivery and read receipts to the
// operator messages they name. Receipts of groups, of the account's own
// devices and of other kinds are acknowledged and ignored.
func (d *meowDriver) receiveReceipt(ctx context.Context, evt *events.Receipt) bool {
	ctx, cancel := context.WithTimeout(ctx, receiveTimeout)
	defer cancel()
	for _, in := range convertReceipt(d.a.name, evt) {
		if err := d.a.receive(ctx, in); err != nil {
			d.a.log.Error("whatsapp receipt not stored; WhatsApp will deliver it again", "target", in.Target, "err", err)
			return false
		}
	}
	return true
}

// convertReceipt turns a receipt into one core receipt per message it
// names. It is pure.
func convertReceipt(channel string, evt *events.Receipt) []core.Inbound {
	if evt == nil || evt.IsGroup || evt.IsFromMe || evt.Chat.Server == types.BroadcastServer {
		return nil
	}
	var kind core.Kind
	switch evt.Type {
	case types.ReceiptTypeDelivered:
		kind = core.KindDelivered
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		kind = core.KindRead
	default:
		return nil
	}
	contact, _ := contactOf(evt.MessageSource)
	out := make([]core.Inbound, 0, len(evt.MessageIDs))
	for _, id := range evt.MessageIDs {
		if id == "" {
			continue
		}
		out = append(out, core.Inbound{
			Channel: channel, ChannelType: Type, Kind: kind, Target: id, Contact: contact, SentAt: evt.Timestamp.UTC(),
		})
	}
	return out
}
