package whatsapp

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// SessionCookie is the inbox's session cookie, read by the channel's own
// routes.
const SessionCookie = "switchboard_session"

// Routes returns the channel's operator routes under its path, to be
// mounted as given:
//
//	GET  {path}/status      the Health as JSON, for any operator
//	GET  {path}/pair        the pairing QR code, for admins (whatsmeow)
//	POST {path}/pair/phone  a phone-number pairing code, for admins (whatsmeow)
//
// They authenticate like the operator API: a Bearer token, else the
// switchboard_session cookie.
func (a *Adapter) Routes(path string) map[string]http.Handler {
	path = strings.TrimRight(path, "/")
	routes := map[string]http.Handler{
		"GET " + path + "/status": a.operatorOnly(false, http.HandlerFunc(a.serveStatus)),
	}
	if qr, phone := a.drv.pairing(); qr != nil {
		routes["GET "+path+"/pair"] = a.operatorOnly(true, qr)
		routes["POST "+path+"/pair/phone"] = a.operatorOnly(true, phone)
	}
	return routes
}

func (a *Adapter) serveStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.Health())
}

// operatorOnly lets through requests of a logged-in operator, and with
// admin only those of an admin.
func (a *Adapter) operatorOnly(admin bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" && r.Header.Get("Authorization") == "" {
			if c, err := r.Cookie(SessionCookie); err == nil {
				token = c.Value
			}
		}
		if a.auth == nil || token == "" {
			writeError(w, http.StatusUnauthorized, "log in first")
			return
		}
		op, err := a.auth.Authenticate(r.Context(), token)
		switch {
		case core.ErrorCode(err) == core.CodeUnauthenticated:
			writeError(w, http.StatusUnauthorized, "no valid session; log in first")
			return
		case err != nil:
			a.log.WarnContext(r.Context(), "authenticate operator", "err", err)
			writeError(w, http.StatusServiceUnavailable, "sessions cannot be checked right now")
			return
		case admin && op.Role != core.RoleAdmin:
			writeError(w, http.StatusForbidden, "only admins can pair a WhatsApp account")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up; nothing to do
}

// writeError answers in the operator API's error shape:
// {"error":{"code","message"}}.
func writeError(w http.ResponseWriter, status int, message string) {
	code := map[int]core.Code{
		http.StatusUnauthorized: core.CodeUnauthenticated, http.StatusForbidden: core.CodeForbidden,
		http.StatusBadRequest: core.CodeInvalid, http.StatusConflict: core.CodeConflict,
	}[status]
	if code == "" {
		code = "unavailable"
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": string(code), "message": message}})
}
