// Package webchat is the website messenger channel: an embeddable visitor
// widget (widget.js, plain JavaScript) talking to the hub over WebSocket
// (RFC 6455, through github.com/coder/websocket), speaking the Switchboard
// web chat protocol v1 described below.
//
// One channel instance of type webchat is one widget. A site embeds it with
//
//	<script src="https://HUB/widget.js" data-widget="NAME" async></script>
//
// where NAME is the channel instance name. Every instance serves its
// endpoints under /webchat/NAME/ (ws, upload, files/{ref}, config,
// continue); the first instance built also serves /widget.js and /demo for
// all of them, through a Directory the composition root shares between
// instances.
//
// # Configuration
//
// A widget is one entry of the YAML file's channels list:
//
//	channels:
//	- name: web                  # the data-widget value; endpoints under /webchat/web/
//	  type: webchat
//	  group: support             # operators who answer it (and count as "online" for it)
//	  secret: <32+ random chars> # visitor tokens, file links, identity HMACs
//	  title: Acme help
//	  color: "#2f6fde"
//	  greeting: Hi! How can we help?
//	  offline_text: We answer by email within a day.
//	  locale: en                 # en, de, fr, es
//	  allowed_origins: [https://www.example.com, "https://*.example.com"]
//	  conversation_timeout: 30m  # a later message starts a new conversation
//	  features: {uploads: true, voice: true, rating: true, email_capture: true, privacy_mode: false}
//	  capabilities: {attachments: [image/*, application/pdf], max_attachment_size: 10485760}
//
// Sites with a Content-Security-Policy allow the hub's origin in
// script-src, connect-src (https and wss), img-src and media-src.
//
// A site that knows its signed-in user passes data-user-id and
// data-user-hash (IdentityHash, computed on the site's server) on the script
// tag, with data-user-name and data-user-email if it likes. The user then
// sees the same history on every device; a bad hash is refused. A push
// macro is an operator message (usually kept as a macro) whose text is
// "push: <url> [label]": it goes only to a visitor who is online, and the
// widget shows the page, opening it at once when it is on the same site.
//
// # Protocol v1
//
// Frames are JSON text messages with a "type". The widget's first frame is
// "hello": the visitor token it holds (issued by the server in "welcome"),
// the id of the last message it has shown ("last") and the server time of
// its last welcome ("since"), an optional verified identity (user id and
// HMAC-SHA256 of it with the widget secret, hex) and the page it is on. The
// server answers "welcome" with the token, the widget settings, whether an
// operator is online and the messages after "last" read from the hub's
// store, so a reconnect resumes without gaps or duplicates. Everything the
// visitor may see is derived from the token: no frame names a conversation.
//
// Visitor frames: hello, message {id, text, files}, typing {typing}, ack
// {ids, read}, page {url, title, referrer}, rate {score, comment}, email
// {email}, code {code}, ping. Server frames: welcome, message, sent {id,
// message}, deleted {id}, typing, presence {online}, rating, rated, verify
// {state}, error {code, message, ref}, pong.
//
// # Delivery states
//
// Send stores nothing itself (the hub stored the message) and pushes it to
// every live socket of the visitor; it succeeds when the visitor is
// offline, who then gets the message from the store on reconnect. So
// "sent" means the web chat has it for the visitor; "delivered" means a
// widget of the visitor rendered it and acknowledged it; "read" means it
// was rendered while the chat panel was open and the page visible. Both
// receipts reach the hub as core.KindDelivered and core.KindRead.
package webchat
