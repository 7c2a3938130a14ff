// Package inbox is the operator side of Switchboard: the JSON API under
// /api/v1 (version 1, described by the OpenAPI 3.1 document it serves at
// /api/v1/openapi.json), the live event feed the inbox UI listens to, as
// Server-Sent Events (text/event-stream) at /api/v1/events, and the inbox
// UI itself (UI), plain ES modules and CSS embedded in the binary.
//
// Every route but login and the OpenAPI document needs a session: the
// switchboard_session cookie set at login, or its token as
// "Authorization: Bearer <token>". Rights are checked by the hub on every
// call; the API maps core's error codes to HTTP statuses and shows their
// messages verbatim.
//
// The composition root mounts Handler at "/api/v1/" and UI at "/" and
// UIAssets, feeds every event of the events topic to PublishEvent, and
// calls Close when shutting down.
package inbox
