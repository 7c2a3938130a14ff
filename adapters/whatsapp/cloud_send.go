package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// send delivers an operator reply through POST /{phone_number_id}/messages
// with the access token: a /template message as that template; anything
// else, inside the 24-hour window, as text and media messages (files are
// uploaded to /{phone_number_id}/media first). The window and consent are
// checked again here, since the operator may have waited or retried: past
// them the reply fails permanently with the reason.
func (d *cloudDriver) send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	to, ok := waID(out.To.ID)
	if !ok {
		return core.SendReceipt{}, core.Permanent(fmt.Errorf("the contact's WhatsApp id %q is not a phone number", out.To.ID))
	}
	if err := d.check(ctx, core.SendCheck{
		Conversation: core.Conversation{LastContactAt: out.LastContactAt},
		To:           out.To, Text: out.Text, Attachments: out.Attachments, Now: d.a.now(),
	}); err != nil {
		var ce *core.CapabilityError
		if errors.As(err, &ce) {
			return core.SendReceipt{}, core.Permanent(err)
		}
		return core.SendReceipt{}, err
	}
	if call, ok, _ := parseTemplateCall(out.Text); ok {
		t, _ := call.resolve(d.a.name, d.a.cfg.Templates) // checked above
		body, err := marshal(templateRequest(to, out.ReplyTo, t, call.Values))
		if err != nil {
			return core.SendReceipt{}, core.Permanent(err)
		}
		id, err := d.graph.sendMessage(ctx, body)
		return core.SendReceipt{ProviderMessageID: id}, err
	}
	return d.a.sendParts(ctx, out, replyParts(out.Text, out.Attachments), func(ctx context.Context, i int, p part) (string, error) {
		replyTo := ""
		if i == 0 {
			replyTo = out.ReplyTo
		}
		return d.sendPart(ctx, to, replyTo, p)
	})
}

// cloudRequest is a Cloud API message body; exactly one content field is
// set, named by Type.
type cloudRequest struct {
	Product       string         `json:"messaging_product"`
	RecipientType string         `json:"recipient_type"`
	To            string         `json:"to"`
	Context       *cloudContext  `json:"context,omitempty"`
	Type          string         `json:"type"`
	Text          *cloudText     `json:"text,omitempty"`
	Image         *cloudOutMedia `json:"image,omitempty"`
	Audio         *cloudOutMedia `json:"audio,omitempty"`
	Video         *cloudOutMedia `json:"video,omitempty"`
	Document      *cloudOutMedia `json:"document,omitempty"`
	Template      *cloudTemplate `json:"template,omitempty"`
}

type cloudContext struct {
	MessageID string `json:"message_id"`
}

type cloudText struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type cloudOutMedia struct {
	ID       string `json:"id"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

type cloudTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []cloudComponent `json:"components,omitempty"`
}

type cloudComponent struct {
	Type       string           `json:"type"`
	Parameters []cloudParameter `json:"parameters"`
}

type cloudParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func newRequest(to, replyTo, typ string) cloudRequest {
	r := cloudRequest{Product: "whatsapp", RecipientType: "individual", To: to, Type: typ}
	if replyTo != "" {
		r.Context = &cloudContext{MessageID: replyTo}
	}
	return r
}

// templateRequest sends template t with values filling its body's
// parameters in order.
func templateRequest(to, replyTo string, t Template, values []string) cloudRequest {
	r := newRequest(to, replyTo, "template")
	r.Template = &cloudTemplate{Name: t.Name}
	r.Template.Language.Code = t.Language
	if len(values) > 0 {
		body := cloudComponent{Type: "body"}
		for _, v := range values {
			body.Parameters = append(body.Parameters, cloudParameter{Type: "text", Text: v})
		}
		r.Template.Components = []cloudComponent{body}
	}
	return r
}

func (d *cloudDriver) sendPart(ctx context.Context, to, replyTo string, p part) (string, error) {
	if p.att == nil {
		r := newRequest(to, replyTo, "text")
		r.Text = &cloudText{Body: p.text}
		body, err := marshal(r)
		if err != nil {
			return "", core.Permanent(err)
		}
		return d.graph.sendMessage(ctx, body)
	}
	id, err := d.uploadAttachment(ctx, *p.att)
	if err != nil {
		return "", err
	}
	typ := mediaKind(p.att.MIMEType)
	m := &cloudOutMedia{ID: id}
	if typ != "audio" {
		m.Caption = p.caption
	}
	r := newRequest(to, replyTo, typ)
	switch typ {
	case "image":
		r.Image = m
	case "audio":
		r.Audio = m
	case "video":
		r.Video = m
	default:
		m.Filename = outName(*p.att)
		r.Document = m
	}
	body, err := marshal(r)
	if err != nil {
		return "", core.Permanent(err)
	}
	return d.graph.sendMessage(ctx, body)
}

func (d *cloudDriver) uploadAttachment(ctx context.Context, att core.Attachment) (string, error) {
	rc, err := d.a.blobs.Open(ctx, att.Blob)
	if err != nil {
		if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
			return "", core.Permanent(fmt.Errorf("attachment %s is no longer stored", att.Filename))
		}
		return "", fmt.Errorf("open blob %s: %w", att.Blob, err)
	}
	defer rc.Close()
	limit := maxDocumentSize
	if mediaKind(att.MIMEType) != "document" {
		limit = maxMediaSize
	}
	return d.graph.upload(ctx, outName(att), att.MIMEType, rc, limit)
}

// mediaKind is the WhatsApp message type a file is sent as.
func mediaKind(mimeType string) string {
	major, _, _ := strings.Cut(strings.ToLower(mimeType), "/")
	switch major {
	case "image", "audio", "video":
		return major
	}
	return "document"
}

// outName is the file name a contact sees.
func outName(att core.Attachment) string {
	if name := core.CleanFilename(att.Filename); name != "" {
		return name
	}
	return "file"
}

// marshal encodes v as JSON without escaping <, > and &, as Meta's own
// clients send it.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode Cloud API request: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
