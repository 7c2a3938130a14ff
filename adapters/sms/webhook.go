package sms

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// emptyTwiML answers an incoming-message webhook without sending a reply.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// serveInbound handles POST <path>/inbound: a contact's message. See the
// package documentation for the order of checks and the answers.
func (a *Adapter) serveInbound(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	m, err := a.driver.message(r, body)
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	if err := a.receiveMessage(r.Context(), m); err != nil {
		a.fail(w, r, m.ID, err)
		return
	}
	a.ok(w)
}

// serveStatus handles POST <path>/status: a delivery report.
func (a *Adapter) serveStatus(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	s, err := a.driver.status(r, body)
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	if err := a.receiveStatus(r.Context(), s); err != nil {
		a.fail(w, r, s.ID, err)
		return
	}
	a.ok(w)
}

// readBody reads the request body within max_body_bytes, answering 413
// past it (before anything is parsed or hashed) and 400 when the body
// breaks off.
func (a *Adapter) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := a.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		a.log.WarnContext(r.Context(), "inbound body too large", "remote", r.RemoteAddr, "length", r.ContentLength, "limit", limit)
		writeText(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes (max_body_bytes)", limit))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		a.log.WarnContext(r.Context(), "inbound body too large", "remote", r.RemoteAddr, "limit", limit)
		writeText(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes (max_body_bytes)", limit))
		return nil, false
	case err != nil:
		writeText(w, http.StatusBadRequest, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

// refuse answers a request that failed authentication (401 missing, 403
// bad) or parsing (400). Nothing of it is ingested.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var ae *authError
	if errors.As(err, &ae) {
		a.log.WarnContext(r.Context(), "inbound request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err.Error())
		writeText(w, ae.status(), err.Error())
		return
	}
	a.log.InfoContext(r.Context(), "inbound request malformed", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err.Error())
	writeText(w, http.StatusBadRequest, err.Error())
}

// fail answers an authenticated request that could not be stored: 400 for
// content the hub refuses, 502 for media the provider did not serve, 503
// for the hub's own failures, so the provider may retry.
func (a *Adapter) fail(w http.ResponseWriter, r *http.Request, id string, err error) {
	var pe *parseError
	var me *mediaError
	switch {
	case errors.As(err, &pe):
		a.log.InfoContext(r.Context(), "inbound message refused", "message", id, "reason", err.Error())
		writeText(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &me):
		a.log.WarnContext(r.Context(), "inbound media not fetched", "message", id, "err", err)
		writeText(w, me.status, err.Error())
	default:
		a.log.ErrorContext(r.Context(), "inbound message not stored", "message", id, "err", err)
		writeText(w, http.StatusServiceUnavailable, "the message could not be stored; retry later")
	}
}

// ok acknowledges a stored request; the Twilio driver answers empty TwiML
// so that Twilio sends no automatic reply.
func (a *Adapter) ok(w http.ResponseWriter) {
	if a.cfg.Provider == ProviderTwilio {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, emptyTwiML) // the provider hung up; it is stored anyway
		return
	}
	writeText(w, http.StatusOK, "ok")
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
