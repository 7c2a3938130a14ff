package meta

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// ErrMalformed marks a signed body that is not the documented JSON shape;
// Webhook answers 400 for an error wrapping it.
var ErrMalformed = errors.New("malformed webhook body")

// Webhook serves one Meta webhook endpoint: GET is the subscription
// handshake, POST carries signed events. It is safe for concurrent use once
// built; its fields must not change while it serves.
type Webhook struct {
	// AppSecret verifies X-Hub-Signature-256.
	AppSecret string
	// VerifyToken is what the handshake must present in hub.verify_token.
	VerifyToken string
	// MaxBodyBytes bounds a POST body; a longer one is refused with 413
	// before anything of it is hashed or parsed.
	MaxBodyBytes int64
	// Logger receives refusals; nil discards.
	Logger *slog.Logger
	// Receive handles a body whose signature matched, in the request's
	// context. It returns nil once every event is durably stored, filtered
	// or recognised as a duplicate (200), an error wrapping ErrMalformed
	// for a body it cannot read (400), or any other error when retrying may
	// help (503, so that Meta delivers the body again). It logs the details
	// of its own failures.
	Receive func(ctx context.Context, body []byte) error
}

// ServeHTTP answers Meta's requests at the channel's path.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.handshake(w, r)
	case http.MethodPost:
		h.serveEvents(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		WriteText(w, http.StatusMethodNotAllowed, "use GET for verification and POST for events")
	}
}

func (h *Webhook) log() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// handshake answers the subscription check Meta makes when the webhook is
// configured: hub.mode=subscribe with the verify token echoes hub.challenge;
// anything else is 403. An empty VerifyToken verifies nothing.
func (h *Webhook) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := h.VerifyToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.VerifyToken)) == 1
	if q.Get("hub.mode") != "subscribe" || !ok {
		h.log().WarnContext(r.Context(), "webhook verification refused", "remote", r.RemoteAddr, "mode", Clip(q.Get("hub.mode"), 40))
		WriteText(w, http.StatusForbidden, "verification refused")
		return
	}
	h.log().InfoContext(r.Context(), "webhook verified by Meta")
	WriteText(w, http.StatusOK, q.Get("hub.challenge"))
}

// serveEvents handles one webhook POST. In order: the body is read within
// MaxBodyBytes (413), X-Hub-Signature-256 checked over the raw bytes (401
// missing, 403 bad), then Receive decides (200, 400 or 503).
func (h *Webhook) serveEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := h.log().With("remote", r.RemoteAddr)
	body, err := ReadBody(w, r, h.MaxBodyBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.WarnContext(ctx, "webhook body too large", "limit", h.MaxBodyBytes)
			WriteText(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes", h.MaxBodyBytes))
			return
		}
		WriteText(w, http.StatusBadRequest, "reading body failed")
		return
	}
	if err := Verify(h.AppSecret, r.Header.Get(HeaderSignature), body); err != nil {
		log.WarnContext(ctx, "webhook signature refused", "reason", err.Error())
		status := http.StatusForbidden
		if errors.Is(err, ErrMissingSignature) {
			status = http.StatusUnauthorized
		}
		WriteText(w, status, err.Error())
		return
	}
	switch err := h.Receive(ctx, body); {
	case err == nil:
		WriteText(w, http.StatusOK, "EVENT_RECEIVED")
	case errors.Is(err, ErrMalformed):
		log.WarnContext(ctx, "webhook body malformed", "reason", err.Error())
		WriteText(w, http.StatusBadRequest, Clip(err.Error(), 300))
	default:
		WriteText(w, http.StatusServiceUnavailable, "the event could not be stored; retry later")
	}
}

// ReadBody reads r's body, at most limit bytes; a longer one fails with an
// *http.MaxBytesError before anything of it is used. A limit of 0 or less
// admits nothing but an empty body.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	limit = max(limit, 0)
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

// WriteText answers with a plain-text body that browsers must not sniff.
func WriteText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text) // Meta hung up; nothing to do
}

// Clip shortens s to at most n bytes for logs and errors, keeping it valid
// UTF-8.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
