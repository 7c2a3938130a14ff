// Package whatsapp connects WhatsApp to Switchboard through one of two
// drivers, chosen per channel with `driver:`.
//
// Driver cloud speaks the WhatsApp Business Cloud API of a Meta app (Graph
// API, version configurable, default v21.0) over net/http. Inbound, the
// channel's Handler is mounted at the channel's path: it answers Meta's GET
// verification handshake and takes the webhook POSTs, each checked against
// X-Hub-Signature-256 over the raw body before anything is parsed (the
// plumbing Messenger shares, in adapters/internal/meta). Messages (text,
// images, voice notes and audio, video, documents, stickers, locations,
// shared contacts), reactions, interactive and template-button replies
// (postbacks) and statuses (delivered, read, failed with Meta's reason)
// become core.Inbound values, handed to the hub in payload order; media are
// fetched through the Graph media endpoint (GET /{version}/{media-id}, then
// its URL, with the access token) into the blob store, and content WhatsApp
// cannot represent becomes a placeholder line. The POST is answered 200
// only once every event is durably stored or a duplicate. Outbound, Send
// uses POST /{version}/{phone_number_id}/messages (files are uploaded to
// /{phone_number_id}/media first). The 24-hour customer service window is
// enforced by CheckSend before anything is queued: outside it (and for a
// contact who never wrote) only an approved template from the YAML may go,
// written by the operator as
//
//	/template NAME value 1 | value 2
//
// and only to a contact with a recorded opt-in: a message or button whose
// whole text is START, SUBSCRIBE, OPT IN (or UNSTOP) records one, STOP,
// UNSUBSCRIBE or OPT OUT withdraws it, kept in the channel's state. The
// operator sees the exact reason when any of this is missing.
//
// Driver whatsmeow links the hub to a WhatsApp account as a companion
// device, speaking WhatsApp's multi-device web protocol through
// go.mau.fi/whatsmeow (the 2025-12-17 version). Its session lives in the
// hub's own SQLite database (whatsmeow's sqlstore tables), so a restart
// reconnects without pairing. An admin pairs the account with the QR code
// served at {path}/pair (text, PNG, JSON or a Server-Sent Events stream), a
// phone-number pairing code from {path}/pair/phone, or `switchboard
// whatsapp pair` in a terminal; Health reports pairing, connected,
// disconnected (reconnecting with backoff), logged out or outdated client,
// also at {path}/status. Direct messages of every kind above, edits,
// deletions for everyone (kept for operators, marked deleted), reactions,
// replies and delivery and read receipts reach the hub; groups, status
// broadcasts, newsletters and the account's own messages are filtered. A
// message is acknowledged to WhatsApp only once the hub stored it. Sending
// uploads files and sends through the linked account, paced per chat
// (default one message a second); while the session is down a reply waits
// and goes out on reconnect, or fails with the reason after send_timeout.
// Each message is sent under an id derived from the reply, so a retry after
// an unclear failure cannot deliver it twice. With allow_delete a sent
// message can be revoked within WhatsApp's 48 hours (core.Deleter).
//
// whatsmeow links go.mau.fi/libsignal, which is GPL-3.0: a binary built with
// this driver is distributed under GPL-3.0 terms. The build tag nowhatsmeow
// leaves the driver out; `driver: whatsmeow` is then a configuration error.
package whatsapp
