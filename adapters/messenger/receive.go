package messenger

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-hq/switchboard/core"
)

// handle hands one converted event to the hub. It returns an error only
// when retrying may help (storage or media temporarily unavailable); events
// the hub refuses for good (a receipt for a message it does not know, an
// invalid message) are logged and acknowledged, since Meta would otherwise
// deliver them forever.
func (a *Adapter) handle(ctx context.Context, ev event) error {
	switch {
	case ev.Skip != "":
		a.log.InfoContext(ctx, "webhook event skipped", "reason", ev.Skip)
		return nil
	case ev.Filtered != "":
		a.log.DebugContext(ctx, "webhook event filtered", "reason", ev.Filtered, "mid", ev.In.ProviderMessageID)
		return nil
	}
	switch ev.In.Kind {
	case core.KindMessage:
		return a.receiveMessage(ctx, ev)
	case core.KindPostback, core.KindReaction, core.KindEdit:
		return a.receive(ctx, ev.In)
	}
	for _, mid := range ev.Delivered {
		err := a.receive(ctx, core.Inbound{
			Channel: a.name, ChannelType: Type, Kind: core.KindDelivered, Target: mid, Contact: ev.In.Contact,
		})
		if err != nil {
			return err
		}
	}
	if ev.Watermark != nil {
		n, err := a.recv.ReceiveWatermark(ctx, *ev.Watermark)
		if err := a.outcome(ctx, err, "kind", ev.Watermark.Kind, "watermark", ev.Watermark.Until, "contact", ev.Watermark.Contact); err != nil {
			return err
		}
		a.log.DebugContext(ctx, "watermark applied", "kind", ev.Watermark.Kind, "contact", ev.Watermark.Contact, "messages", n)
	}
	return nil
}

// receiveMessage fetches the message's media into the blob store and stores
// the message. Content that cannot be stored becomes a placeholder line.
func (a *Adapter) receiveMessage(ctx context.Context, ev event) error {
	in := ev.In
	var failed []string
	for _, m := range ev.Media {
		att, err := a.fetch(ctx, m)
		switch {
		case err == nil:
			in.Attachments = append(in.Attachments, att)
		case core.IsPermanent(err):
			a.log.WarnContext(ctx, "inbound media not stored", "mid", in.ProviderMessageID, "type", m.Type, "reason", err.Error())
			failed = append(failed, fmt.Sprintf("the contact sent %s that could not be downloaded (%v)", article(m.Type), err))
		default:
			return fmt.Errorf("messenger media of %s: %w", in.ProviderMessageID, err)
		}
	}
	in.Text = storedText(in.Text, ev.Unsupported, failed)
	return a.receive(ctx, in)
}

// fetch streams one attachment into the blob store. Inbound files are kept
// up to Messenger's own limit even when YAML narrowed the channel: the hub
// flags what the capabilities exclude, and nothing is lost.
func (a *Adapter) fetch(ctx context.Context, m media) (core.Attachment, error) {
	body, err := a.media.Fetch(ctx, m.URL)
	if err != nil {
		return core.Attachment{}, err
	}
	defer body.Close()
	blob, err := a.blobs.Put(ctx, body, maxAttachmentSize)
	switch {
	case core.ErrorCode(err) == core.CodeTooLarge:
		return core.Attachment{}, core.Permanent(fmt.Errorf("larger than %d MB", maxAttachmentSize>>20))
	case err != nil:
		return core.Attachment{}, fmt.Errorf("store blob: %w", err)
	}
	return core.Attachment{Filename: mediaFilename(m), MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}, nil
}

func (a *Adapter) receive(ctx context.Context, in core.Inbound) error {
	rc, err := a.recv.Receive(ctx, in)
	if err == nil && rc.Duplicate {
		a.log.DebugContext(ctx, "duplicate event acknowledged", "kind", in.Kind, "mid", in.ProviderMessageID)
	}
	return a.outcome(ctx, err, "kind", in.Kind, "mid", in.ProviderMessageID, "target", in.Target, "contact", in.Contact.ID)
}

// outcome sorts the hub's answer: nil acknowledges the event, an error asks
// Meta for a redelivery. attrs describe the event in logs.
func (a *Adapter) outcome(ctx context.Context, err error, attrs ...any) error {
	switch code := core.ErrorCode(err); {
	case err == nil:
		return nil
	case errors.Is(err, core.ErrNotFound) || code == core.CodeNotFound:
		// A receipt or edit for a message the hub never stored (one sent
		// from the Page inbox, or erased): nothing to update.
		a.log.DebugContext(ctx, "event refers to an unknown message", attrs...)
		return nil
	case code == core.CodeInvalid || code == core.CodeTooLarge:
		a.log.WarnContext(ctx, "event refused by the hub", append(attrs, "reason", err.Error())...)
		return nil
	}
	return err
}

func article(typ string) string {
	switch typ {
	case "image":
		return "an image"
	case "audio":
		return "an audio clip"
	case "video":
		return "a video"
	}
	return "a file"
}
