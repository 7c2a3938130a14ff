// Package sms implements the SMS/MMS channel with two drivers: "twilio",
// which speaks Twilio's Messages REST API version 2010-04-01 and its
// messaging webhooks (and any Twilio-compatible provider), and "generic", a
// small provider-neutral JSON contract so ops can put another SMS gateway
// behind Switchboard by configuration alone.
//
// # Configuration
//
//	channels:
//	  - name: sms
//	    type: sms
//	    path: /sms/twilio                # routes mount here (default /webhooks/<name>)
//	    provider: twilio                 # the default
//	    account_sid: AC3f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e
//	    auth_token: 2b7e4f9a1c6d3e8b5a0f7c2d9e4b1a63
//	    messaging_service_sid: MG8d2b4f6a0c1e3d5b7f9a1c3e5d7b9f0a   # or from: "+16465550100"
//	    public_url: https://hub.example.com/sms/twilio   # default: the hub's public_url + path
//	    # api_url: https://api.twilio.com   media_hosts: [api.twilio.com]
//	    # max_body_bytes: 1048576   timeout: 30s   media_url_ttl: 1h   default_region: US
//	  - name: sms-gateway
//	    type: sms
//	    provider: generic
//	    url: https://gateway.example.net/send
//	    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
//	    from: "+16465550100"             # optional, passed on to the gateway
//	    # media_hosts: [gateway.example.net]   (default: the host of url)
//
// # Endpoints
//
// The channel serves three routes under its path (default /webhooks/<name>),
// which public_url names as the provider sees it (default: the hub's
// public_url followed by the path):
//
//	POST <path>/inbound        messages from contacts
//	POST <path>/status         delivery reports of messages the hub sent
//	GET  <path>/media/{token}  outbound MMS media, for the provider to fetch
//
// Media URLs are signed with a key derived from the channel's credentials
// and expire after media_url_ttl (default 1h), so several hub instances
// sharing one configuration serve each other's URLs.
//
// Every inbound request is checked in this order: body size (413 over
// max_body_bytes), signature present (401), body well formed (400),
// signature valid (403), content well formed (400). A request is answered
// 200 only once what it carries is durably stored (duplicates included);
// media the provider fails to serve answer 502 and a failure to store 503,
// so the provider may retry.
//
// # Twilio driver
//
// Point the number's or messaging service's incoming-message webhook at
// <public_url>/inbound (HTTP POST); every message the hub sends names
// <public_url>/status as its StatusCallback. Requests are verified with
// X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + the POST
// parameters sorted by name, each as name+value)), URL being public_url plus
// the route (and the query string, if the provider was given one). MMS media
// (MediaUrlN, MediaContentTypeN) are fetched with the account credentials,
// only from media_hosts (default api.twilio.com); media on api.twilio.com are
// fetched through api_url, so a proxy or a test server sees them too.
// Replies are POSTed form-encoded to
// {api_url}/2010-04-01/Accounts/{account_sid}/Messages.json.
//
// # Generic driver
//
// Requests in both directions are signed like Standard Webhooks
// (https://www.standardwebhooks.com) with the channel's secret
// ("whsec_" + base64 key): headers webhook-id, webhook-timestamp (unix
// seconds) and webhook-signature ("v1," + base64 of HMAC-SHA256(key,
// id + "." + timestamp + "." + body)). Requests whose timestamp is more than
// five minutes the server clock are refused.
//
// Gateway to hub, POST <public_url>/inbound, one SMS or MMS from a contact
// (id and from required; unknown fields are refused):
//
//	{"id": "gw-1842", "from": "+14155550123", "to": "+16465550100",
//	 "text": "Is my order ready?",
//	 "media": [{"url": "https://gw.example.net/m/1.jpg", "content_type": "image/jpeg"}],
//	 "sent_at": "2025-03-14T09:30:00Z", "opt_out_type": "STOP"}
//
// Media are fetched without credentials, only from media_hosts (default: the
// host of url). opt_out_type is optional (STOP or START, when the gateway
// handles opt-outs itself); the keywords below apply to text in any case.
//
// Gateway to hub, POST <public_url>/status, a delivery report:
//
//	{"id": "gw-out-77", "status": "undelivered", "error_code": "30003",
//	 "error_message": "Unreachable destination handset"}
//
// status is one of queued, sending, sent, delivered, read, undelivered,
// failed; id is the id the gateway gave when it accepted the message.
//
// Hub to gateway, POST <url>, one message to send:
//
//	{"id": "msg_01J…", "to": "+14155550123", "from": "+16465550100",
//	 "text": "Your order is ready.", "media_urls": ["https://hub…/media/…"],
//	 "status_url": "https://hub.example.com/webhooks/sms/status",
//	 "encoding": "GSM-7", "segments": 1}
//
// The webhook-id is the hub's message id, the same on every retry, so the
// gateway can drop duplicates. A 2xx answer means accepted; its JSON
// {"id": "..."} names the id status reports will use (without it, the hub's
// message id). A 4xx answer other than 408 and 429 refuses the message for
// good, and its {"error": "..."} is shown to the operator; 429 (honouring
// Retry-After), 408, 5xx and timeouts are retried.
//
// # Opt-outs, numbers and segments
//
// A contact whose whole trimmed text is STOP, STOPALL, UNSUBSCRIBE, CANCEL,
// END, QUIT, REVOKE or OPTOUT (any case), or whose message carries
// OptOutType=STOP, is opted out of the channel; START and UNSTOP (or
// OptOutType=START) opt them in again. Opt-outs are kept in the channel's
// durable state and no message is ever sent to an opted-out number: the
// hub refuses it before queueing (CheckSend) and Send refuses it again.
// Keyword messages are not stored as conversation messages.
//
// Phone numbers are normalised to E.164; senders that are not phone
// numbers (short codes, alphanumeric ids) keep their provider spelling.
// Texts are counted in segments as carriers bill them: GSM-7 (extension
// characters take two septets) in 160 septets, or 153 per part when
// concatenated; UCS-2 in 70 UTF-16 units, or 67 per part.
package sms
