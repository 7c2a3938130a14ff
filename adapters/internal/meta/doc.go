// Package meta holds what Meta's webhooks have in common for every product
// that delivers them: Facebook Messenger (the Messenger Platform) and the
// WhatsApp Business Cloud API both subscribe through the same GET
// verification handshake (hub.mode=subscribe, hub.verify_token,
// hub.challenge) and sign every POST with X-Hub-Signature-256, the hex
// HMAC-SHA256 of the raw body under the app secret. Webhook serves such an
// endpoint: it bounds the body, checks the signature in constant time over
// the exact bytes received, and only then hands the body to the product's
// parser.
//
// It is internal to the adapters: channel packages may not import each
// other, so the plumbing they share lives here.
package meta
