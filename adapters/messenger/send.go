package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// maxTextUnits is the Send API's text limit: 2,000 characters, counted here
// in UTF-16 code units as Messenger counts them.
const maxTextUnits = 2000

// Send delivers an operator reply through the Send API. Text goes first,
// split at 2,000 characters, then each attachment as its own upload: the
// Send API carries one of them per call. A reply in several parts records
// each sent part in the channel's state, so a retry after a failure sends
// only the rest. The receipt names the first part's message id.
//
// The reply window is checked again here (the operator may have waited, or
// retried a failed message): past it the reply fails permanently with the
// reason. Errors follow core.Channel.
func (a *Adapter) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if err := ctx.Err(); err != nil {
		return core.SendReceipt{}, err
	}
	if out.To.ID == "" {
		return core.SendReceipt{}, core.Permanent(errors.New("the contact has no Messenger id on this channel"))
	}
	mode, err := replyMode(a.name, out.LastContactAt, a.now(), a.cfg.humanAgent())
	if err != nil {
		return core.SendReceipt{}, core.Permanent(err)
	}
	parts := replyParts(out)
	mids, err := core.SendParts(ctx, a.state, out, len(parts), func(ctx context.Context, i int) (string, error) {
		return a.sendPart(ctx, out.To.ID, mode, parts[i])
	})
	if err != nil {
		a.log.WarnContext(ctx, "reply not sent", "message", out.MessageID, "attempt", out.Attempt,
			"permanent", core.IsPermanent(err), "err", err)
		return core.SendReceipt{}, err
	}
	return core.SendReceipt{ProviderMessageID: mids[0]}, nil
}

// part is one Send API call of a reply: a text or one attachment.
type part struct {
	text string
	att  *core.Attachment
}

func replyParts(out core.Outbound) []part {
	var parts []part
	for _, t := range splitText(strings.TrimSpace(out.Text), maxTextUnits) {
		parts = append(parts, part{text: t})
	}
	for i := range out.Attachments {
		parts = append(parts, part{att: &out.Attachments[i]})
	}
	return parts
}

// sendRequest is a Send API JSON body.
type sendRequest struct {
	Recipient     recipient   `json:"recipient"`
	MessagingType string      `json:"messaging_type"`
	Tag           string      `json:"tag,omitempty"`
	Message       textMessage `json:"message"`
}

type recipient struct {
	ID string `json:"id"`
}

type textMessage struct {
	Text string `json:"text"`
}

// uploadMessage is the message field of an attachment upload.
type uploadMessage struct {
	Attachment struct {
		Type    string `json:"type"`
		Payload struct {
			IsReusable bool `json:"is_reusable"`
		} `json:"payload"`
	} `json:"attachment"`
}

func (a *Adapter) sendPart(ctx context.Context, psid string, mode sendMode, p part) (string, error) {
	if p.att == nil {
		body, err := marshal(sendRequest{
			Recipient: recipient{ID: psid}, MessagingType: mode.MessagingType, Tag: mode.Tag,
			Message: textMessage{Text: p.text},
		})
		if err != nil {
			return "", core.Permanent(err)
		}
		return a.graph.send(ctx, "application/json", body)
	}
	contentType, body, err := a.upload(ctx, psid, mode, *p.att)
	if err != nil {
		return "", err
	}
	return a.graph.send(ctx, contentType, body)
}

// upload builds the multipart body that sends one attachment: recipient,
// messaging_type, tag, message {"attachment": {"type", "payload":
// {"is_reusable": false}}} and the file as filedata.
func (a *Adapter) upload(ctx context.Context, psid string, mode sendMode, att core.Attachment) (string, []byte, error) {
	rc, err := a.blobs.Open(ctx, att.Blob)
	if err != nil {
		if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
			return "", nil, core.Permanent(fmt.Errorf("attachment %s is no longer stored", att.Filename))
		}
		return "", nil, fmt.Errorf("open blob %s: %w", att.Blob, err)
	}
	defer rc.Close()
	var m uploadMessage
	m.Attachment.Type = uploadType(att.MIMEType)
	recip, _ := marshal(recipient{ID: psid})
	msg, _ := marshal(m)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields := [][2]string{{"recipient", string(recip)}, {"messaging_type", mode.MessagingType}}
	if mode.Tag != "" {
		fields = append(fields, [2]string{"tag", mode.Tag})
	}
	fields = append(fields, [2]string{"message", string(msg)})
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return "", nil, core.Permanent(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename="%s"`, quoteEscaper.Replace(uploadName(att))))
	h.Set("Content-Type", att.MIMEType)
	w, err := mw.CreatePart(h)
	if err != nil {
		return "", nil, core.Permanent(err)
	}
	n, err := io.Copy(w, io.LimitReader(rc, maxAttachmentSize+1))
	if err != nil {
		return "", nil, fmt.Errorf("read blob %s: %w", att.Blob, err)
	}
	if n > maxAttachmentSize {
		return "", nil, core.Permanent(fmt.Errorf("attachment %s is larger than %d MB", att.Filename, maxAttachmentSize>>20))
	}
	if err := mw.Close(); err != nil {
		return "", nil, core.Permanent(err)
	}
	return mw.FormDataContentType(), buf.Bytes(), nil
}

// uploadType is the Send API attachment type of a MIME type; voice messages
// are audio.
func uploadType(mimeType string) string {
	major, _, _ := strings.Cut(strings.ToLower(mimeType), "/")
	switch major {
	case "image", "audio", "video":
		return major
	}
	return "file"
}

func uploadName(att core.Attachment) string {
	if name := core.CleanFilename(att.Filename); name != "" {
		return name
	}
	return "file"
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// marshal encodes v as JSON without escaping <, > and &, as Meta's own
// clients send it.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode Send API request: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// splitText cuts s into pieces of at most max UTF-16 code units, at the last
// line break or space of a piece when there is one in its second half.
func splitText(s string, max int) []string {
	var out []string
	for s != "" {
		cut, units, lastSpace := len(s), 0, -1
		for i, r := range s {
			n := 1
			if r >= 0x10000 {
				n = 2
			}
			if units+n > max {
				cut = i
				break
			}
			units += n
			if (r == '\n' || r == ' ') && units > max/2 {
				lastSpace = i
			}
		}
		switch {
		case cut < len(s) && lastSpace > 0:
			cut = lastSpace
		case cut == 0: // max below one character: take one anyway
			_, cut = utf8.DecodeRuneInString(s)
		}
		if piece := strings.TrimSpace(s[:cut]); piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	return out
}
