package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// HeaderSecretToken carries the webhook's secret token on every request
// Telegram makes.
const HeaderSecretToken = "X-Telegram-Bot-Api-Secret-Token"

// serveWebhook handles one update POSTed by Telegram. In order: the secret
// token is checked (missing 401, wrong 403), the body read within
// max_body_bytes (413) and parsed (400), and the update stored. It answers
// 200 once the update is durably stored, or when it needs nothing stored
// (a group message, an unknown update kind, a duplicate); anything not
// stored gets a 5xx so that Telegram delivers it again.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Mode != ModeWebhook {
		http.Error(w, "this Telegram channel polls for updates; it has no webhook", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	if status := a.checkSecret(r.Header); status != 0 {
		reason := "missing secret token"
		if status == http.StatusForbidden {
			reason = "wrong secret token"
		}
		a.log.Warn("telegram webhook refused", "remote", r.RemoteAddr, "status", status, "reason", reason)
		http.Error(w, reason, status)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.log.Warn("telegram webhook body too large", "limit", tooBig.Limit)
			http.Error(w, fmt.Sprintf("body is larger than %d bytes", tooBig.Limit), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	u, err := parseUpdate(body)
	if err != nil {
		a.log.Info("telegram webhook update malformed", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch err := a.ingest(r.Context(), u); {
	case err == nil:
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, errMalformed):
		a.log.Info("telegram webhook update refused", "update_id", u.UpdateID, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		a.log.Error("telegram update not stored; Telegram will retry", "update_id", u.UpdateID, "err", err)
		http.Error(w, "the update could not be stored; retry later", http.StatusServiceUnavailable)
	}
}

// checkSecret returns 0 when h carries the configured secret token, else
// the status to refuse with: 401 when it is missing, 403 when it differs.
func (a *Adapter) checkSecret(h http.Header) int {
	got, ok := h[http.CanonicalHeaderKey(HeaderSecretToken)]
	if !ok || len(got) == 0 || got[0] == "" {
		return http.StatusUnauthorized
	}
	sum := sha256.Sum256([]byte(got[0]))
	if len(got) != 1 || subtle.ConstantTimeCompare(sum[:], a.secret[:]) != 1 {
		return http.StatusForbidden
	}
	return 0
}

// setWebhook registers the webhook URL with its secret token, retrying
// network failures; the library's WebhookConfig has no secret_token, so
// the parameters are given as they go on the wire.
func (a *Adapter) setWebhook(ctx context.Context) error {
	params := tgbotapi.Params{"url": a.cfg.WebhookURL, "secret_token": a.cfg.SecretToken}
	b := newBackoff()
	for {
		_, err := a.api.request(ctx, "setWebhook", params)
		if err == nil {
			a.log.Info("telegram webhook registered", "url", a.cfg.WebhookURL)
			return nil
		}
		if refused(err) {
			return fmt.Errorf("telegram channel %s: %w", a.name, err)
		}
		a.log.Warn("telegram setWebhook failed; retrying", "err", err, "in", b.next())
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
}

// botName is "@username" of a getMe result, or "".
func botName(raw json.RawMessage) string {
	var u tgbotapi.User
	if json.Unmarshal(raw, &u) != nil || u.UserName == "" {
		return ""
	}
	return "@" + u.UserName
}
