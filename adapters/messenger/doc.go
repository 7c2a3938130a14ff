// Package messenger connects a Facebook Page to Switchboard through the
// Messenger Platform, speaking the Graph API (version configurable, default
// v21.0) over net/http.
//
// Inbound, the channel's Handler is mounted at the channel's path: it answers
// Meta's GET verification handshake and takes the webhook POSTs, each one
// checked against X-Hub-Signature-256 (HMAC-SHA256 of the raw body under the
// app secret) before anything is parsed. A delivery may batch several
// entries of several messaging events; each becomes a core.Inbound (messages,
// attachments, quick replies, postbacks, reactions, edits, per-message
// delivery receipts) or a core.Watermark (reads, and deliveries by
// watermark), handed to the hub in order. The POST is answered 200 only once
// every event is durably stored, filtered (echoes of the page's own
// messages) or recognised as a duplicate.
//
// Outbound, Send uses the Send API (POST /{version}/me/messages) with the
// page access token: text, split at Messenger's 2,000 characters, and
// attachments uploaded as multipart filedata. Inside 24 hours of the
// contact's last message it sends messaging_type RESPONSE; afterwards, for
// up to 7 days and when human_agent is enabled, MESSAGE_TAG with the
// HUMAN_AGENT tag; beyond that CheckSend refuses the reply before it is
// queued. Messenger cannot delete a sent message, so the adapter does not
// implement core.Deleter.
package messenger
