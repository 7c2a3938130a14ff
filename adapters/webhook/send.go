package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-hq/switchboard/core"
)

// Event types of the requests a custom channel receives at its url.
const (
	TypeMessageCreated = "message.created"
	TypeMessageDeleted = "message.deleted"
)

// outboundMessage is the body POSTed to the channel's url for an operator
// reply. The webhook-id header is the message id, the same on every
// redelivery, so the receiver can drop duplicates.
type outboundMessage struct {
	Type           string               `json:"type"`
	ID             string               `json:"id"`
	ConversationID string               `json:"conversation_id"`
	Contact        outboundContact      `json:"contact"`
	Text           string               `json:"text"`
	Attachments    []outboundAttachment `json:"attachments"`
	Operator       string               `json:"operator,omitempty"`
	IdempotencyKey string               `json:"idempotency_key,omitempty"`
	ReplyTo        string               `json:"reply_to,omitempty"`
}

type outboundContact struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// outboundAttachment carries the file inline; []byte encodes as base64.
type outboundAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Voice       bool   `json:"voice,omitempty"`
	Data        []byte `json:"data_base64"`
}

// deletedMessage is the body POSTed to the channel's url when an operator
// deletes a reply already sent. Its webhook-id is "del_" + the message id,
// so that it does not look like a duplicate of the reply itself.
type deletedMessage struct {
	Type              string          `json:"type"`
	ID                string          `json:"id"`
	ConversationID    string          `json:"conversation_id"`
	Contact           outboundContact `json:"contact"`
	ProviderMessageID string          `json:"provider_message_id,omitempty"`
}

// errNoURL fails every reply of an inbound-only channel.
var errNoURL = core.Permanent(errors.New("channel has no url configured"))

// Send POSTs an operator reply, signed, to the channel's url, with its
// attachments inline in base64. A 2xx answer means sent; the receiver may
// name its own id for the message in a JSON answer {"id": "..."}. Errors
// follow core.Channel: a 4xx (but 408 and 429) or a redirect is permanent,
// anything else is retried.
func (c *Channel) Send(ctx context.Context, out core.Outbound) (core.SendReceipt, error) {
	if c.cfg.URL == "" {
		return core.SendReceipt{}, errNoURL
	}
	if out.MessageID == "" {
		return core.SendReceipt{}, core.Permanent(errors.New("outbound message has no id"))
	}
	msg := outboundMessage{
		Type:           TypeMessageCreated,
		ID:             out.MessageID,
		ConversationID: out.ConversationID,
		Contact:        contactOf(out.To),
		Text:           out.Text,
		Attachments:    make([]outboundAttachment, 0, len(out.Attachments)),
		Operator:       out.Operator,
		IdempotencyKey: out.IdempotencyKey,
		ReplyTo:        out.ReplyTo,
	}
	for _, a := range out.Attachments {
		data, err := c.readBlob(ctx, a.Blob)
		if err != nil {
			return core.SendReceipt{}, fmt.Errorf("attachment %s: %w", a.Filename, err)
		}
		msg.Attachments = append(msg.Attachments, outboundAttachment{
			Filename: a.Filename, ContentType: a.MIMEType, Size: int64(len(data)), Voice: a.Voice, Data: data,
		})
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return core.SendReceipt{}, core.Permanent(fmt.Errorf("encode message: %w", err))
	}
	_, answer, err := c.post(ctx, out.MessageID, body)
	if err != nil {
		c.log.WarnContext(ctx, "reply not delivered", "message", out.MessageID, "attempt", out.Attempt,
			"permanent", core.IsPermanent(err), "err", err)
		return core.SendReceipt{}, err
	}
	return core.SendReceipt{ProviderMessageID: answerID(answer)}, nil
}

// Delete POSTs a signed {"type": "message.deleted", "id": ...} for a reply
// already sent, with the errors of Send.
func (c *Channel) Delete(ctx context.Context, m core.Message, to core.ContactRef) error {
	if c.cfg.URL == "" {
		return errNoURL
	}
	body, err := json.Marshal(deletedMessage{
		Type:              TypeMessageDeleted,
		ID:                m.ID,
		ConversationID:    m.ConversationID,
		Contact:           contactOf(to),
		ProviderMessageID: m.ProviderMessageID,
	})
	if err != nil {
		return core.Permanent(fmt.Errorf("encode deletion: %w", err))
	}
	if _, _, err := c.post(ctx, "del_"+m.ID, body); err != nil {
		c.log.WarnContext(ctx, "deletion not delivered", "message", m.ID, "permanent", core.IsPermanent(err), "err", err)
		return err
	}
	return nil
}

func (c *Channel) post(ctx context.Context, id string, body []byte) (int, []byte, error) {
	return signedPost{
		client: c.poster, url: c.cfg.URL, key: c.key, id: id,
		now: c.now(), body: body, timeout: c.cfg.Timeout,
	}.do(ctx)
}

// readBlob reads an attachment's bytes, at most the global upload limit. A
// blob that is gone fails permanently: no retry brings it back.
func (c *Channel) readBlob(ctx context.Context, ref string) ([]byte, error) {
	rc, err := c.blobs.Open(ctx, ref)
	if err != nil {
		if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
			return nil, core.Permanent(fmt.Errorf("open blob %s: %w", ref, err))
		}
		return nil, fmt.Errorf("open blob %s: %w", ref, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, core.MaxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", ref, err)
	}
	if int64(len(data)) > core.MaxUpload {
		return nil, core.Permanent(fmt.Errorf("blob %s is larger than %d bytes", ref, core.MaxUpload))
	}
	return data, nil
}

func contactOf(to core.ContactRef) outboundContact {
	return outboundContact{ID: to.ID, Name: to.Name, Email: to.Email, Phone: to.Phone}
}

// answerID is the receiver's own id for a message from a JSON answer
// {"id": "..."} (a number is kept as written), or "".
func answerID(answer []byte) string {
	var a struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(answer, &a) != nil || len(a.ID) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(a.ID, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(a.ID, &n) == nil {
		return n.String()
	}
	return ""
}

var _ core.Deleter = (*Channel)(nil)
