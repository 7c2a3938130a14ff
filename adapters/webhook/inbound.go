package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// receipt is the answer to an accepted inbound message.
type receipt struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
}

// serveInbound handles POST /api/v1/channels/{name}/messages. In order: the
// body is read within max_body_bytes (413), the signature checked (401),
// the JSON parsed (400), the attachments stored (413 over the size limit),
// and the message handed to the Receiver. It answers 202 once the message is
// durably stored, 200 for a duplicate, and never 2xx for anything not
// stored: a 5xx tells the sender to retry with the same webhook-id and id.
func (c *Channel) serveInbound(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := c.log.With("remote", r.RemoteAddr, "webhook_id", r.Header.Get(HeaderID))
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", err.Error())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.Warn("inbound body too large", "limit", tooBig.Limit)
			writeError(w, http.StatusRequestEntityTooLarge, "too_large",
				fmt.Sprintf("body is larger than %d bytes (max_body_bytes)", tooBig.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, "malformed", "reading body: "+err.Error())
		return
	}
	if err := c.verify.Verify(r.Header, body); err != nil {
		log.Warn("inbound signature refused", "reason", err.Error())
		writeError(w, http.StatusUnauthorized, "unauthorized", err.Error())
		return
	}
	p, err := parseMessage(body)
	if err != nil {
		log.Info("inbound message malformed", "reason", err.Error())
		writeError(w, http.StatusBadRequest, "malformed", err.Error())
		return
	}
	atts, err := c.storeAttachments(ctx, p)
	if err != nil {
		var ae *attachmentError
		if errors.As(err, &ae) {
			log.Info("inbound attachment refused", "message", p.ID, "reason", err.Error())
			writeError(w, ae.status, ae.code, err.Error())
			return
		}
		log.Error("inbound attachment not stored", "message", p.ID, "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "attachments could not be stored; retry later")
		return
	}
	rc, err := c.recv.Receive(ctx, core.Inbound{
		Channel:           c.name,
		ChannelType:       Type,
		Kind:              core.KindMessage,
		ProviderMessageID: p.ID,
		Contact:           p.Contact,
		Text:              p.Text,
		Attachments:       atts,
		SentAt:            p.SentAt,
	})
	switch code := core.ErrorCode(err); {
	case err == nil:
	case code == core.CodeInvalid:
		log.Info("inbound message refused", "message", p.ID, "reason", err.Error())
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	case code == core.CodeTooLarge:
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
		return
	default:
		log.Error("inbound message not stored", "message", p.ID, "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the message could not be stored; retry later")
		return
	}
	status := http.StatusAccepted
	if rc.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, receipt{MessageID: rc.MessageID, ConversationID: rc.ConversationID})
}

// checkContentType admits JSON in UTF-8, and a request without a
// Content-Type.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("content type %q is not application/json", clip(ct, 80))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Errorf("charset %q is not supported; send UTF-8", clip(cs, 40))
	}
	return nil
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the sender hung up; nothing to do
}
