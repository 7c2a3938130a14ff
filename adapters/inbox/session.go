package inbox

import (
	"context"
	"net/http"

	"github.com/switchboard-hq/switchboard/core"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token    string       `json:"token"`
	Operator operatorView `json:"operator"`
}

// login checks the password, sets the session cookie and returns the same
// token for use as a bearer token.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return core.Invalidf("email and password are required")
	}
	token, op, err := s.hub.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		if core.ErrorCode(err) == core.CodeUnauthenticated {
			s.log.Info("login refused", "email", req.Email, "remote", r.RemoteAddr)
		}
		return err
	}
	http.SetCookie(w, s.cookie(token, 0))
	st, err := s.status(r.Context(), op)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: token, Operator: viewOperator(st)})
	return nil
}

// logout ends the caller's session and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	token, _ := r.Context().Value(tokenKey{}).(string)
	if err := s.hub.Logout(r.Context(), token); err != nil {
		return err
	}
	http.SetCookie(w, s.cookie("", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// cookie builds the session cookie; maxAge -1 deletes it, 0 makes it last
// until the browser closes (the server-side session expires on its own).
func (s *Server) cookie(token string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode,
	}
}

// me returns the caller with presence and chat slots used.
func (s *Server) me(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	st, err := s.status(r.Context(), me)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOperator(st))
	return nil
}

// status returns op's presence and slots used.
func (s *Server) status(ctx context.Context, op core.Operator) (core.OperatorStatus, error) {
	live, err := s.hub.Store().LiveCounts(ctx)
	if err != nil {
		return core.OperatorStatus{}, err
	}
	return core.OperatorStatus{Operator: op, Presence: s.hub.Presence(op.ID), SlotsUsed: live[op.ID]}, nil
}
