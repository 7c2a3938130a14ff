package whatsapp

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// cloudEvent is one message or status of a webhook delivery, converted. In
// is what the hub stores, its Kind empty when there is nothing to store;
// the other fields carry what the core's Inbound has no place for and what
// the adapter still has to do (fetch media, record consent).
type cloudEvent struct {
	In core.Inbound
	// Media are the message's files, still to be fetched by id.
	Media []cloudMediaRef
	// Unsupported names content WhatsApp could not represent, or the
	// adapter cannot store; the message gets a placeholder line for each.
	Unsupported []string
	// ReplyTo is the provider id of the message this one quotes or
	// answers.
	ReplyTo  string
	Postback *postback
	Reaction *reaction
	// Status is a delivery state of a message the business sent.
	Status *status
	// Consent is an opt-in or opt-out keyword the contact sent.
	Consent *consentChange
	// Skip names an event the adapter does not handle; it is logged and
	// acknowledged.
	Skip string
}

// cloudMediaRef is a file of a message: its kind as the fixtures name it
// (image, audio, voice, video, file, sticker), its Meta media id, and what
// the webhook declared about it.
type cloudMediaRef struct {
	Type     string
	ID       string
	MIMEType string
	Filename string
}

type postback struct{ Payload, Title string }

type reaction struct{ Action, Emoji string }

// status is a sent, delivered, read or failed status. Sent has no Kind of
// its own: Send already recorded it.
type status struct {
	Type      string
	Target    string
	Recipient string
	At        time.Time
	Error     string
}

// parseCloud decodes a webhook body and converts its messages and statuses,
// in payload order, for channel, keeping only those of the business number
// phoneNumberID. It fails, wrapping meta.ErrMalformed, only on a body that
// is not the documented JSON shape; events it does not handle come back
// with Skip set. It is pure and never panics.
func parseCloud(channel, phoneNumberID string, body []byte) ([]cloudEvent, error) {
	var b cloudBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: %w", meta.ErrMalformed, err)
	}
	if b.Object == "" {
		return nil, fmt.Errorf("%w: no object field", meta.ErrMalformed)
	}
	if b.Object != "whatsapp_business_account" {
		return []cloudEvent{{Skip: fmt.Sprintf("object %q is not a WhatsApp Business Account", meta.Clip(b.Object, 40))}}, nil
	}
	var out []cloudEvent
	for i, e := range b.Entry {
		for j, ch := range e.Changes {
			if ch.Field != "messages" {
				out = append(out, cloudEvent{Skip: fmt.Sprintf("change field %q", meta.Clip(ch.Field, 60))})
				continue
			}
			var v cloudValue
			if err := json.Unmarshal(ch.Value, &v); err != nil {
				return nil, fmt.Errorf("%w: entry[%d].changes[%d].value: %w", meta.ErrMalformed, i, j, err)
			}
			if v.Metadata.PhoneNumberID != phoneNumberID {
				out = append(out, cloudEvent{Skip: fmt.Sprintf("events for phone number id %q, not this channel's", meta.Clip(v.Metadata.PhoneNumberID, 40))})
				continue
			}
			evs, err := convertValue(channel, v)
			if err != nil {
				return nil, fmt.Errorf("%w: entry[%d].changes[%d].value.%w", meta.ErrMalformed, i, j, err)
			}
			out = append(out, evs...)
		}
	}
	return out, nil
}

func convertValue(channel string, v cloudValue) ([]cloudEvent, error) {
	names := map[string]string{}
	for _, c := range v.Contacts {
		names[c.WaID] = strings.TrimSpace(c.Profile.Name)
	}
	var out []cloudEvent
	for k, raw := range v.Messages {
		var m cloudMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", k, err)
		}
		out = append(out, convertCloudMessage(channel, m, names[m.From]))
	}
	for k, raw := range v.Statuses {
		var s cloudStatus
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("statuses[%d]: %w", k, err)
		}
		out = append(out, convertStatus(channel, s))
	}
	return out, nil
}

// convertCloudMessage turns one message into what the hub stores. It is
// pure.
func convertCloudMessage(channel string, m cloudMessage, name string) cloudEvent {
	phone, ok := e164(m.From)
	switch {
	case m.ID == "":
		return cloudEvent{Skip: "message without id"}
	case !ok:
		return cloudEvent{Skip: fmt.Sprintf("message from %q, which is not a phone number", meta.Clip(m.From, 20))}
	}
	ev := cloudEvent{In: core.Inbound{
		Channel: channel, ChannelType: Type, Kind: core.KindMessage, ProviderMessageID: m.ID,
		Contact: core.ContactRef{ID: phone, Phone: phone, Name: name, Verified: true},
		SentAt:  unixSeconds(m.Timestamp),
	}}
	if m.Context != nil && m.Context.ID != "" {
		ev.ReplyTo = m.Context.ID
		ev.In.ThreadKey = m.Context.ID
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			ev.In.Text = m.Text.Body
		}
		ev.Consent = consentKeyword(ev.In.Text)
	case "image", "audio", "video", "document", "sticker":
		ev.media(m)
	case "location":
		if m.Location != nil {
			ev.In.Text = locationText(m.Location.Name, m.Location.Address, m.Location.Latitude, m.Location.Longitude)
		}
	case "contacts":
		for _, c := range m.Contacts {
			var phones []string
			for _, p := range c.Phones {
				phones = append(phones, p.Phone)
			}
			ev.In.Text = joinLines(ev.In.Text, contactText(c.Name.FormattedName, phones))
		}
	case "reaction":
		return convertCloudReaction(ev, m.Reaction)
	case "interactive", "button":
		return convertCloudReply(ev, m)
	case "system":
		return cloudEvent{Skip: "system message (the contact changed number or identity)"}
	case "request_welcome":
		return cloudEvent{Skip: "request_welcome (the contact opened the chat)"}
	default:
		ev.Unsupported = append(ev.Unsupported, unsupportedType(m))
	}
	if ev.In.Text == "" && len(ev.Media) == 0 && len(ev.Unsupported) == 0 {
		ev.Unsupported = append(ev.Unsupported, orUnknown(m.Type))
	}
	return ev
}

// media adds the message's file; a media type without its object becomes a
// placeholder.
func (ev *cloudEvent) media(m cloudMessage) {
	file := map[string]*cloudMedia{"image": m.Image, "audio": m.Audio, "video": m.Video, "document": m.Document, "sticker": m.Sticker}[m.Type]
	if file == nil || file.ID == "" {
		ev.Unsupported = append(ev.Unsupported, m.Type)
		return
	}
	typ := m.Type
	switch {
	case typ == "audio" && file.Voice:
		typ = "voice"
	case typ == "document":
		typ = "file"
	}
	ev.In.Text = file.Caption
	ev.Media = append(ev.Media, cloudMediaRef{Type: typ, ID: file.ID, MIMEType: file.MIMEType, Filename: core.CleanFilename(file.Filename)})
}

// convertCloudReaction makes a reaction a message of kind reaction whose
// text is the emoji, or empty when the contact took the reaction back.
func convertCloudReaction(ev cloudEvent, r *cloudReaction) cloudEvent {
	if r == nil || r.MessageID == "" {
		return cloudEvent{Skip: "reaction without message_id"}
	}
	ev.In.Kind, ev.In.Target, ev.In.Text = core.KindReaction, r.MessageID, r.Emoji
	ev.Reaction = &reaction{Action: "react", Emoji: r.Emoji}
	if r.Emoji == "" {
		ev.Reaction.Action = "unreact"
	}
	return ev
}

// convertCloudReply makes a tapped reply button, list row or template
// quick-reply button a postback whose text is what the contact saw.
func convertCloudReply(ev cloudEvent, m cloudMessage) cloudEvent {
	var pb postback
	switch {
	case m.Interactive != nil && m.Interactive.ButtonReply != nil:
		pb = postback{Payload: m.Interactive.ButtonReply.ID, Title: m.Interactive.ButtonReply.Title}
	case m.Interactive != nil && m.Interactive.ListReply != nil:
		pb = postback{Payload: m.Interactive.ListReply.ID, Title: m.Interactive.ListReply.Title}
	case m.Button != nil:
		pb = postback{Payload: m.Button.Payload, Title: m.Button.Text}
	default:
		kind := "interactive"
		if m.Interactive != nil && m.Interactive.Type != "" {
			kind = "interactive " + meta.Clip(m.Interactive.Type, 40)
		}
		ev.Unsupported = append(ev.Unsupported, kind)
		return ev
	}
	ev.In.Kind, ev.Postback = core.KindPostback, &pb
	ev.In.Text = pb.Title
	if ev.In.Text == "" {
		ev.In.Text = pb.Payload
	}
	ev.Consent = consentKeyword(pb.Payload)
	if ev.Consent == nil {
		ev.Consent = consentKeyword(pb.Title)
	}
	return ev
}

// convertStatus turns a status into a receipt for the message it names.
func convertStatus(channel string, s cloudStatus) cloudEvent {
	if s.ID == "" {
		return cloudEvent{Skip: "status without id"}
	}
	recipient, _ := e164(s.RecipientID)
	st := &status{Type: s.Status, Target: s.ID, Recipient: recipient, At: unixSeconds(s.Timestamp)}
	ev := cloudEvent{Status: st}
	kind := map[string]core.Kind{"delivered": core.KindDelivered, "read": core.KindRead, "failed": core.KindFailed}[s.Status]
	switch {
	case s.Status == "sent":
		return ev
	case kind == "":
		return cloudEvent{Skip: fmt.Sprintf("status %q", meta.Clip(s.Status, 40))}
	}
	ev.In = core.Inbound{
		Channel: channel, ChannelType: Type, Kind: kind, Target: s.ID, SentAt: st.At,
		Contact: core.ContactRef{ID: recipient, Phone: recipient},
	}
	if kind == core.KindFailed {
		st.Error = failureText(s.Errors)
		ev.In.Error = st.Error
	}
	return ev
}

// failureText is Meta's reason for a failed message, for the operator.
func failureText(errs []cloudError) string {
	var parts []string
	for _, e := range errs {
		p := strings.TrimSpace(e.Title)
		if p == "" {
			p = strings.TrimSpace(e.Message)
		}
		if e.Code != 0 {
			p += fmt.Sprintf(" (code %d)", e.Code)
		}
		if d := strings.TrimSpace(e.ErrorData.Details); d != "" && d != e.Title {
			p += ": " + d
		}
		parts = append(parts, meta.Clip(strings.TrimSpace(p), 500))
	}
	if len(parts) == 0 {
		return "WhatsApp could not deliver the message"
	}
	return "WhatsApp could not deliver the message: " + strings.Join(parts, "; ")
}

func unsupportedType(m cloudMessage) string {
	t := orUnknown(m.Type)
	if i := slices.IndexFunc(m.Errors, func(e cloudError) bool { return e.Title != "" }); i >= 0 && t == "unsupported" {
		return t + ": " + meta.Clip(m.Errors[i].Title, 120)
	}
	return t
}

// unixSeconds reads a Cloud API timestamp (Unix seconds as a string) in
// UTC; anything else is the zero time, which the hub replaces with its
// clock.
func unixSeconds(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return meta.Clip(s, 40)
}
