package webchat

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// Who wrote a message, as the widget shows it.
const (
	fromVisitor  = "visitor"
	fromOperator = "operator"
	fromSystem   = "system"
)

// outMessage is a message as the widget shows it. A deleted message keeps
// its id and place but loses its text and files.
type outMessage struct {
	ID           string    `json:"id"`
	Conversation string    `json:"conversation"`
	From         string    `json:"from"`
	Text         string    `json:"text,omitempty"`
	Files        []outFile `json:"files,omitempty"`
	At           int64     `json:"at"` // unix ms
	Operator     string    `json:"operator,omitempty"`
	Status       string    `json:"status,omitempty"`
	Deleted      bool      `json:"deleted,omitempty"`
	Push         *outPush  `json:"push,omitempty"`
}

// outFile is an attachment; URL is relative to the hub and signed.
type outFile struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Size  int64  `json:"size"`
	URL   string `json:"url"`
	Voice bool   `json:"voice,omitempty"`
}

// outPush is a push macro: a page the operator sends the visitor to.
type outPush struct {
	URL   string `json:"url"`
	Label string `json:"label,omitempty"`
}

// pushPrefix starts a push macro's text: "push: https://example.com/pricing
// Our prices". Operators keep such texts as macros (!pricing); the web chat
// sends them only while the visitor is online and the widget opens the page.
const pushPrefix = "push:"

// parsePush returns the page and label of a push macro's text.
func parsePush(text string) (*outPush, bool) {
	rest, ok := cutPrefixFold(strings.TrimSpace(text), pushPrefix)
	if !ok {
		return nil, false
	}
	raw, label, _ := strings.Cut(strings.TrimSpace(rest), " ")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > MaxURLLen {
		return nil, false
	}
	return &outPush{URL: u.String(), Label: strings.TrimSpace(label)}, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// view renders a stored message for the widget.
func (a *Adapter) view(ctx context.Context, m core.Message) outMessage {
	v := outMessage{ID: m.ID, Conversation: m.ConversationID, At: m.CreatedAt.UnixMilli(), From: fromVisitor}
	switch {
	case m.Direction == core.DirectionOut:
		v.From = fromOperator
		v.Operator = a.operatorName(ctx, m.Author)
		v.Status = string(m.Status)
		if v.Status == string(core.DeliveryPending) {
			v.Status = string(core.DeliverySent) // pushed already: see Send
		}
	case m.Kind == core.KindPostback:
		v.From = fromSystem
	}
	if m.DeletedAt != nil || a.deleted.has(m.ID, a.now()) {
		v.Deleted = true
		return v
	}
	v.Text = m.Text
	if p, ok := parsePush(m.Text); ok && m.Direction == core.DirectionOut {
		v.Push = p
	}
	v.Files = a.files(m.ID, m.Attachments)
	return v
}

func (a *Adapter) files(messageID string, atts []core.Attachment) []outFile {
	var out []outFile
	for _, at := range atts {
		out = append(out, outFile{
			Name: at.Filename, Type: at.MIMEType, Size: at.Size, Voice: at.Voice,
			URL: a.prefix + "/files/" + url.PathEscape(at.Blob) + "?m=" + url.QueryEscape(messageID) + "&s=" + a.keys.fileSig(messageID, at.Blob),
		})
	}
	return out
}

// operatorName is the display name of an operator, from the presence
// check's cache or the store.
func (a *Adapter) operatorName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if n, ok := a.names.Load(id); ok {
		return n.(string)
	}
	op, err := a.hub().Store().Operator(ctx, id)
	if err != nil {
		return ""
	}
	a.names.Store(id, op.Name)
	return op.Name
}

// encode marshals a server frame. Frames are plain structs and maps of
// strings, so marshalling cannot fail.
func encode(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

type messageEvent struct {
	Type    string     `json:"type"` // "message"
	Message outMessage `json:"message"`
}

type sentEvent struct {
	Type    string     `json:"type"` // "sent"
	ID      string     `json:"id"`   // the widget's id of the message
	Message outMessage `json:"message"`
}

type idEvent struct {
	Type string `json:"type"` // "deleted"
	ID   string `json:"id"`
}

type typingEvent struct {
	Type     string `json:"type"` // "typing"
	Typing   bool   `json:"typing"`
	Operator string `json:"operator,omitempty"`
}

type presenceEvent struct {
	Type   string `json:"type"` // "presence"
	Online bool   `json:"online"`
}

type errorEvent struct {
	Type    string `json:"type"` // "error"
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     string `json:"ref,omitempty"` // the widget's id of the message refused
}

type verifyEvent struct {
	Type     string `json:"type"`  // "verify"
	State    string `json:"state"` // sent, wrong, expired, verified
	Email    string `json:"email,omitempty"`
	TriesOut int    `json:"tries_left,omitempty"`
}

func errorFrame(code, msg, ref string) outFrame {
	return outFrame{data: encode(errorEvent{Type: "error", Code: code, Message: msg, Ref: ref})}
}
