package messenger

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

// event is one messaging item of a webhook delivery, converted. In is what
// the hub stores, its Kind empty when there is nothing to store; the other
// fields carry what the core's Inbound has no place for and what the
// adapter still has to do (fetch media, apply receipts).
type event struct {
	In core.Inbound
	// Media are the message's files, in order, still to be fetched.
	Media []media
	// Unsupported is content Messenger could not represent; the stored
	// message gets a placeholder line for each.
	Unsupported []unsupported
	// QuickReply is the payload of the quick reply the contact tapped.
	QuickReply string
	Postback   *postback
	Reaction   *reaction
	// Delivered lists page messages (mids) with a delivery receipt.
	Delivered []string
	// Watermark is a read or delivery receipt covering every page message
	// up to a time.
	Watermark *core.Watermark
	// Filtered is why valid input is acknowledged without being stored as a
	// customer message: "echo" for the page's own messages.
	Filtered string
	// Skip names an event the adapter does not handle; it is logged and
	// acknowledged.
	Skip string
}

// media is a file attached to a message: its Messenger type (image, audio,
// video, file) and the CDN URL it is fetched from.
type media struct {
	Type string
	URL  string
}

// unsupported is an attachment without a file: a shared link shown as a
// fallback, a template, or content Messenger flags as unsupported.
type unsupported struct {
	Type  string
	Title string
	URL   string
}

// fileTypes are the attachment types that carry a file at payload.url.
var fileTypes = []string{"image", "audio", "video", "file"}

// errMalformed wraps every reason parseEvents refuses a body; the webhook
// answers 400 for it.
var errMalformed = meta.ErrMalformed

// parseEvents decodes a webhook body and converts its messaging events, in
// payload order (entries, then their items), for channel. It fails only on
// a body that is not the documented JSON shape; events it does not handle
// come back with Skip set. It never panics.
func parseEvents(channel string, body []byte) ([]event, error) {
	var b webhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: %w", errMalformed, err)
	}
	if b.Object == "" {
		return nil, fmt.Errorf("%w: no object field", errMalformed)
	}
	if b.Object != "page" {
		return []event{{Skip: fmt.Sprintf("object %q is not a page", meta.Clip(b.Object, 40))}}, nil
	}
	var out []event
	for i, e := range b.Entry {
		if len(e.Standby) > 0 {
			out = append(out, event{Skip: "standby events (another app controls the conversation)"})
		}
		if len(e.Changes) > 0 {
			out = append(out, event{Skip: "page feed changes"})
		}
		for j, raw := range e.Messaging {
			var m messaging
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("%w: entry[%d].messaging[%d]: %w", errMalformed, i, j, err)
			}
			ev := convert(channel, m)
			if ev.Skip == "" && ev.In.Kind == "" && ev.Watermark == nil && len(ev.Delivered) == 0 && ev.Filtered == "" {
				ev.Skip = "unknown event " + eventKeys(raw)
			}
			out = append(out, ev)
		}
	}
	return out, nil
}

// convert turns one messaging event into what the hub stores. It is pure.
func convert(channel string, m messaging) event {
	base := core.Inbound{
		Channel: channel, ChannelType: Type,
		Contact: core.ContactRef{ID: m.Sender.ID},
		SentAt:  millis(m.Timestamp),
	}
	switch {
	case m.Message != nil && m.Message.IsEcho:
		return event{In: core.Inbound{ProviderMessageID: m.Message.Mid}, Filtered: "echo"}
	case m.Sender.ID == "":
		return event{Skip: "event without sender id"}
	case m.Message != nil:
		return convertMessage(base, m.Message)
	case m.Postback != nil:
		return convertPostback(base, m.Postback)
	case m.Reaction != nil:
		return convertReaction(base, m.Reaction)
	case m.MessageEdit != nil:
		if m.MessageEdit.Mid == "" {
			return event{Skip: "message_edit without mid"}
		}
		base.Kind, base.Target, base.Text = core.KindEdit, m.MessageEdit.Mid, m.MessageEdit.Text
		base.ProviderMessageID = m.MessageEdit.Mid + ":edit:" + strconv.Itoa(m.MessageEdit.NumEdit)
		return event{In: base}
	case m.Delivery != nil:
		ev := event{
			In:        core.Inbound{Contact: base.Contact},
			Delivered: slices.DeleteFunc(slices.Clone(m.Delivery.Mids), func(s string) bool { return s == "" }),
			Watermark: watermark(channel, core.KindDelivered, m.Sender.ID, m.Delivery.Watermark),
		}
		if len(ev.Delivered) == 0 && ev.Watermark == nil {
			return event{Skip: "delivery without mids or watermark"}
		}
		return ev
	case m.Read != nil:
		ev := event{
			In:        core.Inbound{Contact: base.Contact},
			Watermark: watermark(channel, core.KindRead, m.Sender.ID, m.Read.Watermark),
		}
		if ev.Watermark == nil {
			return event{Skip: "read without watermark"}
		}
		return ev
	}
	return event{}
}

func convertMessage(in core.Inbound, m *message) event {
	if m.Mid == "" {
		return event{Skip: "message without mid"}
	}
	in.Kind, in.ProviderMessageID, in.Text = core.KindMessage, m.Mid, m.Text
	if m.ReplyTo != nil {
		in.ThreadKey = m.ReplyTo.Mid
	}
	ev := event{In: in}
	if m.QuickReply != nil {
		ev.QuickReply = m.QuickReply.Payload
	}
	for _, a := range m.Attachments {
		url := ""
		if a.Payload != nil {
			url = a.Payload.URL
		}
		if slices.Contains(fileTypes, a.Type) && url != "" {
			ev.Media = append(ev.Media, media{Type: a.Type, URL: url})
			continue
		}
		if url == "" {
			url = a.URL
		}
		ev.Unsupported = append(ev.Unsupported, unsupported{Type: orUnknown(a.Type), Title: a.Title, URL: url})
	}
	if m.IsUnsupported || (in.Text == "" && len(ev.Media) == 0 && len(ev.Unsupported) == 0) {
		ev.Unsupported = append(ev.Unsupported, unsupported{Type: "unsupported"})
	}
	return ev
}

func convertPostback(in core.Inbound, p *postback) event {
	in.Kind, in.ProviderMessageID = core.KindPostback, p.Mid
	if in.ProviderMessageID == "" {
		// Older postbacks carry no mid: the sender and the millisecond
		// identify the tap, and a redelivery repeats both.
		in.ProviderMessageID = "postback:" + in.Contact.ID + ":" + strconv.FormatInt(in.SentAt.UnixMilli(), 10)
	}
	in.Text = p.Title
	if in.Text == "" {
		in.Text = p.Payload
	}
	pb := *p
	return event{In: in, Postback: &pb}
}

// convertReaction makes a reaction a message of kind reaction whose text is
// the emoji, or empty when the contact took the reaction back. Reactions
// have no id of their own: the reacted message, the contact, the action and
// the millisecond identify one, and a redelivery repeats them.
func convertReaction(in core.Inbound, r *reaction) event {
	if r.Mid == "" {
		return event{Skip: "reaction without mid"}
	}
	action := orUnknown(r.Action)
	in.Kind, in.Target = core.KindReaction, r.Mid
	in.ProviderMessageID = fmt.Sprintf("%s:%s:%s:%d", r.Mid, action, in.Contact.ID, in.SentAt.UnixMilli())
	if action != "unreact" {
		in.Text = r.Emoji
		if in.Text == "" {
			in.Text = r.Reaction
		}
	}
	rc := *r
	return event{In: in, Reaction: &rc}
}

func watermark(channel string, kind core.Kind, contact string, ms int64) *core.Watermark {
	if ms <= 0 {
		return nil
	}
	return &core.Watermark{Channel: channel, Kind: kind, Contact: contact, Until: millis(ms)}
}

// millis is a Messenger timestamp (Unix milliseconds) in UTC; 0 is the zero
// time, which the hub replaces with its clock.
func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// storedText is the text the hub stores for a message: the contact's text,
// then a placeholder line for each piece of content that could not be
// stored (unsupported attachments, files that could not be fetched), so
// that operators see something arrived. The core keeps no other trace of
// such content.
func storedText(text string, unsup []unsupported, failed []string) string {
	lines := make([]string, 0, 1+len(unsup)+len(failed))
	if text != "" {
		lines = append(lines, text)
	}
	for _, u := range unsup {
		l := "[Messenger: the contact sent content that cannot be shown here (" + u.Type + ")"
		if d := meta.Clip(strings.TrimSpace(u.Title+" "+u.URL), 500); d != "" {
			l += ": " + d
		}
		lines = append(lines, l+"]")
	}
	for _, f := range failed {
		lines = append(lines, "[Messenger: "+f+"]")
	}
	return strings.Join(lines, "\n")
}

// eventKeys lists the keys of a messaging item other than the envelope, to
// name an event type the adapter does not handle.
func eventKeys(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return "(unreadable)"
	}
	var keys []string
	for k := range m {
		switch k {
		case "sender", "recipient", "timestamp":
		default:
			keys = append(keys, meta.Clip(k, 40))
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "(no event field)"
	}
	return meta.Clip(strings.Join(keys, ","), 200)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return meta.Clip(s, 40)
}
