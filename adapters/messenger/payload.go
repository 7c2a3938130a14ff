package messenger

import "encoding/json"

// The wire format of Messenger Platform webhooks (Graph API v21.0): a POST
// body holds entries, one per page, each with messaging events. Only the
// fields the adapter reads are declared; others are ignored.

// webhookBody is a whole webhook POST body.
type webhookBody struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

// entry is one page's part of a delivery. Messaging items are kept raw so
// that an event type the adapter does not know can be named in the log.
type entry struct {
	ID        string            `json:"id"`
	Time      int64             `json:"time"`
	Messaging []json.RawMessage `json:"messaging"`
	// Standby holds events of a conversation another app controls
	// (handover protocol); Changes are page feed changes. Neither is a
	// customer message for this channel.
	Standby []json.RawMessage `json:"standby"`
	Changes []json.RawMessage `json:"changes"`
}

// messaging is one event: exactly one of its pointers is set for the event
// types the adapter handles.
type messaging struct {
	Sender      party            `json:"sender"`
	Recipient   party            `json:"recipient"`
	Timestamp   int64            `json:"timestamp"`
	Message     *message         `json:"message"`
	Postback    *postback        `json:"postback"`
	Reaction    *reaction        `json:"reaction"`
	MessageEdit *messageEdit     `json:"message_edit"`
	Delivery    *deliveryReceipt `json:"delivery"`
	Read        *readReceipt     `json:"read"`
}

type party struct {
	ID string `json:"id"`
}

// message is a message the contact sent, or, with IsEcho, one the page sent.
type message struct {
	Mid           string       `json:"mid"`
	Text          string       `json:"text"`
	IsEcho        bool         `json:"is_echo"`
	IsUnsupported bool         `json:"is_unsupported"`
	QuickReply    *quickReply  `json:"quick_reply"`
	ReplyTo       *replyTo     `json:"reply_to"`
	Attachments   []attachment `json:"attachments"`
}

type quickReply struct {
	Payload string `json:"payload"`
}

type replyTo struct {
	Mid string `json:"mid"`
}

// attachment is a file (image, audio, video, file: payload.url) or content
// Messenger shows only as a link or not at all (fallback, template, ...).
type attachment struct {
	Type    string             `json:"type"`
	Payload *attachmentPayload `json:"payload"`
	// Title and URL describe a fallback attachment (a shared link).
	Title string `json:"title"`
	URL   string `json:"url"`
}

type attachmentPayload struct {
	URL string `json:"url"`
}

// postback is a tap on a button or a persistent menu item.
type postback struct {
	Mid     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

// reaction is an emoji reaction to a message (action "react" or "unreact").
type reaction struct {
	Mid      string `json:"mid"`
	Action   string `json:"action"`
	Reaction string `json:"reaction"`
	Emoji    string `json:"emoji"`
}

// messageEdit is a contact's edit of an earlier message.
type messageEdit struct {
	Mid     string `json:"mid"`
	Text    string `json:"text"`
	NumEdit int    `json:"num_edit"`
}

// deliveryReceipt says the listed page messages, and every page message
// sent before the watermark (ms), reached the contact.
type deliveryReceipt struct {
	Mids      []string `json:"mids"`
	Watermark int64    `json:"watermark"`
}

// readReceipt says the contact read every page message sent at or before
// the watermark (ms).
type readReceipt struct {
	Watermark int64 `json:"watermark"`
}
