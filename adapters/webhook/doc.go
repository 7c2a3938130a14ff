// Package webhook implements custom channels and outbound event webhooks,
// speaking Standard Webhooks v1 (https://www.standardwebhooks.com).
//
// A custom channel is an external system (a CRM, a ticketing tool, a bot)
// that writes to contacts through Switchboard. It POSTs signed messages to
// the channel's Handler, mounted by the composition root at
// POST /api/v1/channels/{name}/messages, and receives operator replies and
// deletions as signed POSTs to its configured url (Channel.Send and
// Channel.Delete).
//
// EventSender delivers conversation and message events (core.Event) to the
// subscriptions declared under `events:` in the YAML file, signed with each
// subscription's secret.
//
// Every request in both directions carries the three Standard Webhooks
// headers: webhook-id (stable across redeliveries, so receivers can drop
// duplicates), webhook-timestamp (unix seconds) and webhook-signature
// ("v1,<base64 HMAC-SHA256>").
package webhook
