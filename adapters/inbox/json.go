package inbox

import (
	"encoding/json"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// The API's view of core types. They are the contract documented in
// openapi.json: change both together.

type contactRef struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type conversationView struct {
	ID            string      `json:"id"`
	Status        core.Status `json:"status"`
	Labels        []string    `json:"labels"`
	Channel       string      `json:"channel"`
	Topic         string      `json:"topic"`
	ContactID     string      `json:"contact_id"`
	Contact       *contactRef `json:"contact,omitempty"` // left out in feed events
	Assignee      *string     `json:"assignee"`
	LastMessageAt *time.Time  `json:"last_message_at"`
	LastMessage   string      `json:"last_message,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	Group         string      `json:"group"`
	FilterReason  string      `json:"filter_reason"`
	ResolvedAt    *time.Time  `json:"resolved_at"`
	TrashedAt     *time.Time  `json:"trashed_at"`
}

// conversationDetail is GET /conversations/{id}: the conversation with its
// full contact and counts.
type conversationDetail struct {
	conversationView
	ContactDetail contactView `json:"contact"`
	Counts        counts      `json:"counts"`
}

type counts struct {
	Messages    int `json:"messages"`
	Notes       int `json:"notes"`
	Attachments int `json:"attachments"`
	Failed      int `json:"failed"`
}

func viewConversation(c core.Conversation) conversationView {
	v := conversationView{
		ID: c.ID, Status: c.Status, Labels: c.Labels(), Channel: c.Channel, Topic: c.Topic,
		ContactID: c.ContactID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Group: c.Group,
		FilterReason: c.FilterReason, ResolvedAt: c.ResolvedAt, TrashedAt: c.TrashedAt,
	}
	if c.AssigneeID != "" {
		a := c.AssigneeID
		v.Assignee = &a
	}
	if !c.LastMessageAt.IsZero() {
		t := c.LastMessageAt
		v.LastMessageAt = &t
	}
	return v
}

func viewConversationItem(it core.ConversationItem) conversationView {
	v := viewConversation(it.Conversation)
	v.Contact = refOf(it.Contact)
	v.LastMessage = it.LastMessage
	return v
}

func refOf(c core.Contact) *contactRef {
	return &contactRef{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone}
}

type attachmentView struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
	Voice       bool   `json:"voice"`
	Flagged     bool   `json:"flagged"`
}

type messageView struct {
	ID             string              `json:"id"`
	ConversationID string              `json:"conversation_id"`
	Direction      core.Direction      `json:"direction"`
	Kind           core.Kind           `json:"kind"`
	Text           string              `json:"text"`
	Attachments    []attachmentView    `json:"attachments"`
	Status         core.DeliveryStatus `json:"status,omitempty"`
	Error          string              `json:"error,omitempty"`
	Attempts       int                 `json:"attempts"`
	Note           bool                `json:"note"`
	Author         *string             `json:"author"`
	Masked         bool                `json:"masked"`
	CreatedAt      time.Time           `json:"created_at"`
	DeletedAt      *time.Time          `json:"deleted_at"`
	EditedAt       *time.Time          `json:"edited_at"`
}

func viewMessage(m core.Message) messageView {
	v := messageView{
		ID: m.ID, ConversationID: m.ConversationID, Direction: m.Direction, Kind: m.Kind, Text: m.Text,
		Attachments: make([]attachmentView, 0, len(m.Attachments)), Status: m.Status, Error: m.Error,
		Attempts: m.Attempts, Note: m.Note, Masked: m.Masked, CreatedAt: m.CreatedAt,
		DeletedAt: m.DeletedAt, EditedAt: m.EditedAt,
	}
	if m.Author != "" {
		a := m.Author
		v.Author = &a
	}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, attachmentView{
			Filename: a.Filename, ContentType: a.MIMEType, Size: a.Size, Voice: a.Voice, Flagged: a.Flagged,
			URL: blobURL(a.Blob, m.ID),
		})
	}
	return v
}

// blobURL is where an attachment's bytes are served. The message id lets
// GET /blobs/{ref} find the attachment's type and name, and refuse refs no
// message holds.
func blobURL(ref, messageID string) string {
	return "/api/v1/blobs/" + url.PathEscape(ref) + "?message=" + url.QueryEscape(messageID)
}

type contactView struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	Phone      string            `json:"phone"`
	Locale     string            `json:"locale"`
	Blocked    bool              `json:"blocked"`
	Verified   bool              `json:"verified"`
	Fields     map[string]string `json:"fields"`
	Identities []core.Identity   `json:"identities"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

func viewContact(c core.Contact) contactView {
	v := contactView{
		ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Locale: c.Locale, Blocked: c.Blocked,
		Verified: c.Verified, Fields: c.Fields, Identities: c.Identities, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if v.Identities == nil {
		v.Identities = []core.Identity{}
	}
	return v
}

// contactDetail is GET /contacts/{id}: the contact with its conversations.
type contactDetail struct {
	contactView
	Conversations []conversationView `json:"conversations"`
}

type operatorView struct {
	ID        string        `json:"id"`
	Email     string        `json:"email"`
	Name      string        `json:"name"`
	Role      core.Role     `json:"role"`
	Groups    []string      `json:"groups"`
	Slots     int           `json:"slots"`
	Presence  core.Presence `json:"presence"`
	SlotsUsed int           `json:"slots_used"`
	CreatedAt time.Time     `json:"created_at"`
}

func viewOperator(st core.OperatorStatus) operatorView {
	o := st.Operator
	v := operatorView{
		ID: o.ID, Email: o.Email, Name: o.Name, Role: o.Role, Groups: o.Groups, Slots: o.Slots,
		Presence: st.Presence, SlotsUsed: st.SlotsUsed, CreatedAt: o.CreatedAt,
	}
	if v.Groups == nil {
		v.Groups = []string{}
	}
	return v
}

type channelView struct {
	Name         string           `json:"name"`
	Type         string           `json:"type"`
	Group        string           `json:"group"`
	Label        string           `json:"label"`
	Capabilities capabilitiesView `json:"capabilities"`
	Health       channelHealth    `json:"health"`
}

// channelHealth tells how a channel's deliveries fare: "ok", or "failing"
// while deliveries that gave up after retrying wait to be re-driven.
type channelHealth struct {
	Status   string `json:"status"`
	Poisoned int    `json:"poisoned"`
	Detail   string `json:"detail,omitempty"`
}

type capabilitiesView struct {
	Attachments       []string `json:"attachments"`
	AttachmentsLabel  string   `json:"attachments_label"`
	MaxAttachmentSize int64    `json:"max_attachment_size"`
	Voice             bool     `json:"voice"`
	DeleteSent        bool     `json:"delete_sent"`
	DeleteWindowSecs  int64    `json:"delete_window_seconds"`
	Live              bool     `json:"live"`
	Verification      string   `json:"verification"`
	Proactive         string   `json:"proactive"`
}

func viewChannel(c core.ChannelInfo) channelView {
	caps := c.Capabilities
	v := channelView{Name: c.Name, Type: c.Type, Group: c.Group, Label: caps.Label, Capabilities: capabilitiesView{
		Attachments: caps.Attachments, AttachmentsLabel: caps.AttachmentsLabel, MaxAttachmentSize: caps.MaxSize(),
		Voice: caps.Voice, DeleteSent: caps.DeleteSent, DeleteWindowSecs: int64(caps.DeleteWindow / time.Second),
		Live: caps.Live, Verification: caps.Verification, Proactive: caps.Proactive,
	}}
	if v.Capabilities.Attachments == nil {
		v.Capabilities.Attachments = []string{}
	}
	return v
}

type poisonedView struct {
	ID        string          `json:"id"`
	Topic     string          `json:"topic"`
	Key       string          `json:"key"`
	Handler   string          `json:"handler"`
	Reason    string          `json:"reason"`
	MessageID string          `json:"message_id"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	PayloadB  []byte          `json:"payload_base64,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// viewPoisoned shows a JSON payload as JSON and anything else as base64.
func viewPoisoned(p core.Poisoned) poisonedView {
	v := poisonedView{ID: p.ID, Topic: p.Topic, Key: p.Key, Handler: p.Handler, Reason: p.Reason,
		MessageID: p.MessageID, CreatedAt: p.CreatedAt}
	if utf8.Valid(p.Payload) && json.Valid(p.Payload) {
		v.Payload = json.RawMessage(p.Payload)
	} else {
		v.PayloadB = p.Payload
	}
	return v
}

// eventView is a core.Event with its data in the API's shapes; the live
// feed sends it as each event's data.
type eventView struct {
	ID        string         `json:"id"`
	Type      core.EventType `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      eventDataView  `json:"data"`
}

type eventDataView struct {
	Conversation   *conversationView `json:"conversation,omitempty"`
	Message        *messageView      `json:"message,omitempty"`
	Contact        *contactView      `json:"contact,omitempty"`
	ContactID      string            `json:"contact_id,omitempty"`
	PreviousStatus string            `json:"previous_status,omitempty"`
	OperatorID     string            `json:"operator_id,omitempty"`
	Presence       core.Presence     `json:"presence,omitempty"`
}

func viewEvent(e core.Event) eventView {
	d := e.Data
	v := eventView{ID: e.ID, Type: e.Type, Timestamp: e.Timestamp, Data: eventDataView{
		ContactID: d.ContactID, PreviousStatus: d.PreviousStatus, OperatorID: d.OperatorID, Presence: d.Presence,
	}}
	if d.Conversation != nil {
		c := viewConversation(*d.Conversation)
		v.Data.Conversation = &c
	}
	if d.Message != nil {
		m := viewMessage(*d.Message)
		v.Data.Message = &m
	}
	if d.Contact != nil {
		c := viewContact(*d.Contact)
		v.Data.Contact = &c
	}
	return v
}

// commandView answers a composer command.
type commandView struct {
	Command      string            `json:"command"`
	Message      *messageView      `json:"message"`
	Conversation *conversationView `json:"conversation"`
	Contact      *contactView      `json:"contact"`
}
