package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-hq/switchboard/core"
)

// receiveBody hands every event of a verified webhook body to the hub in
// payload order. It returns nil only once every event is stored, skipped
// or a duplicate; a storage or media failure is returned so that Meta
// delivers the body again (events already stored are then duplicates).
func (d *cloudDriver) receiveBody(ctx context.Context, body []byte) error {
	events, err := parseCloud(d.a.name, d.a.cfg.PhoneNumberID, body)
	if err != nil {
		return err // wraps meta.ErrMalformed
	}
	for _, ev := range events {
		if err := d.handle(ctx, ev); err != nil {
			d.a.log.ErrorContext(ctx, "webhook event not stored; Meta will deliver it again",
				"wamid", ev.In.ProviderMessageID, "target", ev.In.Target, "contact", ev.In.Contact.ID, "err", err)
			return err
		}
	}
	return nil
}

// handle stores one converted event. It returns an error only when
// retrying may help; events the hub refuses for good are logged and
// acknowledged, since Meta would otherwise deliver them forever.
func (d *cloudDriver) handle(ctx context.Context, ev cloudEvent) error {
	log := d.a.log
	switch {
	case ev.Skip != "":
		log.InfoContext(ctx, "webhook event skipped", "reason", ev.Skip)
		return nil
	case ev.Status != nil && ev.In.Kind == "":
		log.DebugContext(ctx, "message accepted by WhatsApp", "wamid", ev.Status.Target, "status", ev.Status.Type)
		return nil
	}
	in := ev.In
	if in.Kind == core.KindMessage || in.Kind == core.KindPostback {
		var err error
		if in, err = d.withMedia(ctx, ev); err != nil {
			return err
		}
	}
	if err := d.a.receive(ctx, in); err != nil {
		return err
	}
	if ev.Consent != nil {
		return d.recordConsent(ctx, in, *ev.Consent)
	}
	return nil
}

// withMedia fetches the message's files into the blob store. A file that
// cannot be fetched for good becomes a placeholder line.
func (d *cloudDriver) withMedia(ctx context.Context, ev cloudEvent) (core.Inbound, error) {
	in := ev.In
	var failed []string
	for _, m := range ev.Media {
		att, err := d.fetch(ctx, m)
		switch {
		case err == nil:
			in.Attachments = append(in.Attachments, att)
		case core.IsPermanent(err):
			d.a.log.WarnContext(ctx, "inbound media not stored", "wamid", in.ProviderMessageID, "media", m.ID, "reason", err.Error())
			failed = append(failed, fmt.Sprintf("the contact sent %s that could not be downloaded (%v)", article(m.Type), err))
		default:
			return in, fmt.Errorf("whatsapp media %s of %s: %w", m.ID, in.ProviderMessageID, err)
		}
	}
	in.Text = placeholderText(in.Text, ev.Unsupported, failed)
	return in, nil
}

// fetch streams one file into the blob store: the Graph media endpoint
// names its URL, which is fetched with the access token. Inbound files are
// kept up to WhatsApp's own limit even when YAML narrowed the channel: the
// hub flags what the capabilities exclude, and nothing is lost.
func (d *cloudDriver) fetch(ctx context.Context, m cloudMediaRef) (core.Attachment, error) {
	info, err := d.graph.media(ctx, m.ID)
	if err != nil {
		return core.Attachment{}, err
	}
	body, err := d.graph.download(ctx, info.URL)
	if err != nil {
		return core.Attachment{}, err
	}
	defer body.Close()
	return d.a.store(ctx, body, mediaName(m.Filename, m.Type, info.MIMEType), m.Type == "voice")
}

// recordConsent keeps the opt-in or opt-out the contact just sent, unless
// a later choice is already recorded (a redelivery of an old message).
func (d *cloudDriver) recordConsent(ctx context.Context, in core.Inbound, c consentChange) error {
	phone := in.Contact.Phone
	prev, ok, err := d.consents.get(ctx, phone)
	if err != nil {
		return err
	}
	if ok && prev.At.After(in.SentAt) {
		return nil
	}
	d.a.log.InfoContext(ctx, "consent recorded", "contact", phone, "opt_in", c.OptIn, "keyword", c.Keyword)
	return d.consents.put(ctx, phone, consentRecord{OptIn: c.OptIn, Keyword: c.Keyword, MessageID: in.ProviderMessageID, At: in.SentAt})
}

// receive stores one event, sorting the hub's answer: nil acknowledges the
// event, an error asks the provider for a redelivery.
func (a *Adapter) receive(ctx context.Context, in core.Inbound) error {
	rc, err := a.recv.Receive(ctx, in)
	switch code := core.ErrorCode(err); {
	case err == nil:
		if rc.Duplicate {
			a.log.DebugContext(ctx, "duplicate event acknowledged", "kind", in.Kind, "id", in.ProviderMessageID)
		}
		return nil
	case errors.Is(err, core.ErrNotFound) || code == core.CodeNotFound:
		// A receipt, edit or deletion of a message the hub never stored
		// (one sent from the phone or another tool, or erased).
		a.log.DebugContext(ctx, "event refers to an unknown message", "kind", in.Kind, "target", in.Target)
		return nil
	case code == core.CodeInvalid || code == core.CodeTooLarge:
		a.log.WarnContext(ctx, "event refused by the hub", "kind", in.Kind, "id", in.ProviderMessageID, "reason", err.Error())
		return nil
	}
	return err
}

// store streams one inbound file into the blob store, up to WhatsApp's
// largest file. A file over it is a permanent failure.
func (a *Adapter) store(ctx context.Context, r io.Reader, name string, voice bool) (core.Attachment, error) {
	blob, err := a.blobs.Put(ctx, r, maxDocumentSize)
	switch {
	case core.ErrorCode(err) == core.CodeTooLarge:
		return core.Attachment{}, core.Permanent(fmt.Errorf("larger than %s", megabytes(maxDocumentSize)))
	case err != nil:
		return core.Attachment{}, fmt.Errorf("store blob: %w", err)
	}
	return core.Attachment{Filename: name, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref, Voice: voice}, nil
}
