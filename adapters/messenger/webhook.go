package messenger

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// serveWebhook answers Meta's requests at the channel's path: GET is the
// verification handshake, POST carries signed events.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		a.handshake(w, r)
	case http.MethodPost:
		a.serveEvents(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "use GET for verification and POST for events")
	}
}

// handshake answers the subscription check Meta makes when the webhook is
// configured: hub.mode=subscribe with the verify token echoes hub.challenge;
// anything else is 403.
func (a *Adapter) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := subtle.ConstantTimeCompare([]byte(token), []byte(a.cfg.VerifyToken)) == 1
	if q.Get("hub.mode") != "subscribe" || !ok {
		a.log.WarnContext(r.Context(), "webhook verification refused", "remote", r.RemoteAddr, "mode", clip(q.Get("hub.mode"), 40))
		writeText(w, http.StatusForbidden, "verification refused")
		return
	}
	a.log.InfoContext(r.Context(), "webhook verified by Meta")
	writeText(w, http.StatusOK, q.Get("hub.challenge"))
}

// serveEvents handles one webhook POST. In order: the body is read within
// max_body_bytes (413), X-Hub-Signature-256 checked over the raw bytes
// (401 missing, 403 bad), the JSON parsed (400), and every event handed to
// the hub in payload order. It answers 200 only once every event is stored,
// filtered or a duplicate; a storage or media failure answers 503 so that
// Meta delivers the batch again (events already stored are then
// duplicates).
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := a.log.With("remote", r.RemoteAddr)
	body, err := readBody(w, r, a.cfg.MaxBodyBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.WarnContext(ctx, "webhook body too large", "limit", a.cfg.MaxBodyBytes)
			writeText(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes", a.cfg.MaxBodyBytes))
			return
		}
		writeText(w, http.StatusBadRequest, "reading body failed")
		return
	}
	if err := Verify(a.cfg.AppSecret, r.Header.Get(HeaderSignature), body); err != nil {
		log.WarnContext(ctx, "webhook signature refused", "reason", err.Error())
		status := http.StatusForbidden
		if errors.Is(err, errMissingSignature) {
			status = http.StatusUnauthorized
		}
		writeText(w, status, err.Error())
		return
	}
	events, err := parseEvents(a.name, body)
	if err != nil {
		log.WarnContext(ctx, "webhook body malformed", "reason", err.Error())
		writeText(w, http.StatusBadRequest, clip(err.Error(), 300))
		return
	}
	for _, ev := range events {
		if err := a.handle(ctx, ev); err != nil {
			log.ErrorContext(ctx, "webhook event not stored; Meta will deliver it again",
				"mid", ev.In.ProviderMessageID, "contact", ev.In.Contact.ID, "err", err)
			writeText(w, http.StatusServiceUnavailable, "the event could not be stored; retry later")
			return
		}
	}
	writeText(w, http.StatusOK, "EVENT_RECEIVED")
}

// readBody reads r's body, at most limit bytes; a longer one fails with an
// *http.MaxBytesError before anything of it is used.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return buf.Bytes(), err
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text) // Meta hung up; nothing to do
}
