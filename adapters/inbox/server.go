package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// CookieName is the session cookie set by POST /api/v1/session.
const CookieName = "switchboard_session"

// DefaultAwayGrace is how long an operator stays online after their last
// live feed connection closed, so a page reload does not make them away.
const DefaultAwayGrace = 30 * time.Second

// Config configures the operator API.
type Config struct {
	// PublicURL is how browsers reach the hub ("https://hub.example.com").
	// Requests whose Origin is PublicURL's origin pass the CSRF check even
	// when a proxy rewrote the Host header.
	PublicURL string
	// CookieSecure sets the Secure attribute of the session cookie; turn it
	// on whenever the hub is served over HTTPS.
	CookieSecure bool
	// AwayGrace is how long after an operator's last feed connection closed
	// they are set away; a reconnect within it cancels. Default
	// DefaultAwayGrace.
	AwayGrace time.Duration
	// Clock tells the time; default time.Now.
	Clock func() time.Time
}

func (c *Config) setDefaults() {
	if c.AwayGrace == 0 {
		c.AwayGrace = DefaultAwayGrace
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("inbox: public url %q is not an http(s) URL", c.PublicURL)
		}
	}
	if c.AwayGrace < 0 {
		return fmt.Errorf("inbox: away grace %s is negative", c.AwayGrace)
	}
	return nil
}

// Server is the operator API: JSON under /api/v1 and the live event feed.
type Server struct {
	cfg    Config
	hub    *core.Hub
	log    *slog.Logger
	mux    *http.ServeMux
	csrf   *http.CrossOriginProtection
	feed   *feed
	routes []string
}

// New builds the operator API on hub. A nil logger discards.
func New(cfg Config, hub *core.Hub, logger *slog.Logger) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hub == nil {
		return nil, errors.New("inbox: hub is required")
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, hub: hub, log: logger, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	if cfg.PublicURL != "" {
		u, _ := url.Parse(cfg.PublicURL)
		if err := s.csrf.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("inbox: public url: %w", err)
		}
	}
	s.feed = newFeed(cfg.AwayGrace, s.goAway)
	s.register()
	return s, nil
}

// Handler serves every /api/v1 route of the operator API. Mount it at
// "/api/v1/"; more specific patterns of the parent mux (channel webhooks)
// take precedence.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if _, pattern := s.mux.Handler(r); pattern == "" {
			// No route: let the mux decide between 404 and 405 (with its
			// Allow header), but answer in JSON like every other error.
			s.mux.ServeHTTP(&muxErrorWriter{ResponseWriter: w}, r)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// Routes lists the registered routes as "METHOD /path" patterns, sorted.
func (s *Server) Routes() []string {
	out := append([]string(nil), s.routes...)
	sort.Strings(out)
	return out
}

// Close ends every live feed connection and cancels pending away timers.
// Call it before shutting the HTTP server down (http.Server.RegisterOnShutdown):
// feed connections never go idle by themselves.
func (s *Server) Close() error {
	s.feed.close()
	return nil
}

// handlerFunc is an authenticated endpoint. A returned error is written as
// the JSON error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, me core.Operator) error

func (s *Server) register() {
	// Session and self.
	s.public("POST /api/v1/session", s.login)
	s.auth("DELETE /api/v1/session", s.logout)
	s.auth("GET /api/v1/me", s.me)
	s.auth("PUT /api/v1/me/presence", s.setPresence)
	s.public("GET /api/v1/openapi.json", s.openAPI)

	// Conversations.
	s.auth("GET /api/v1/conversations", s.listConversations)
	s.auth("GET /api/v1/counts", s.counts)
	s.auth("GET /api/v1/conversations/export.csv", s.exportConversations)
	s.auth("POST /api/v1/conversations/bulk", s.bulk)
	s.auth("GET /api/v1/conversations/{id}", s.getConversation)
	s.auth("DELETE /api/v1/conversations/{id}", s.deleteConversation)
	s.auth("POST /api/v1/conversations/{id}/assign", s.assign)
	s.auth("POST /api/v1/conversations/{id}/status", s.setStatus)
	s.auth("POST /api/v1/conversations/{id}/topic", s.setTopic)
	s.auth("POST /api/v1/conversations/{id}/typing", s.typing)
	s.auth("POST /api/v1/conversations/{id}/trash", s.trash)
	s.auth("POST /api/v1/conversations/{id}/restore", s.restore)

	// Messages and attachments.
	s.auth("GET /api/v1/conversations/{id}/messages", s.listMessages)
	s.auth("POST /api/v1/conversations/{id}/messages", s.postMessage)
	s.auth("PATCH /api/v1/messages/{id}", s.editNote)
	s.auth("DELETE /api/v1/messages/{id}", s.deleteMessage)
	s.auth("POST /api/v1/messages/{id}/retry", s.retry)
	s.auth("GET /api/v1/blobs/{ref}", s.getBlob)

	// Contacts.
	s.auth("GET /api/v1/contacts", s.listContacts)
	s.auth("GET /api/v1/contacts/{id}", s.getContact)
	s.auth("PATCH /api/v1/contacts/{id}", s.patchContact)
	s.auth("DELETE /api/v1/contacts/{id}", s.eraseContact)
	s.auth("POST /api/v1/contacts/{id}/block", s.blockContact)
	s.auth("POST /api/v1/contacts/{id}/unblock", s.unblockContact)
	s.auth("POST /api/v1/contacts/import", s.importContacts)

	// Team, tools and operations.
	s.auth("GET /api/v1/operators", s.listOperators)
	s.auth("POST /api/v1/operators", s.createOperator)
	s.auth("GET /api/v1/macros", s.listMacros)
	s.auth("POST /api/v1/macros", s.createMacro)
	s.auth("PUT /api/v1/macros/{id}", s.updateMacro)
	s.auth("DELETE /api/v1/macros/{id}", s.deleteMacro)
	s.auth("GET /api/v1/commands", s.listCommands)
	s.auth("GET /api/v1/notifications", s.listNotifications)
	s.auth("GET /api/v1/poisoned", s.listPoisoned)
	s.auth("POST /api/v1/poisoned/{id}/redrive", s.redrive)
	s.auth("GET /api/v1/event-deliveries", s.listEventDeliveries)
	s.auth("GET /api/v1/channels", s.listChannels)

	// Live feed.
	s.auth("GET /api/v1/events", s.events)
}

// public registers an endpoint anyone may call. Unsafe methods still pass
// the cross-origin check: a login planted by another site is an attack too.
func (s *Server) public(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if bearerToken(r) == "" {
			if err := s.csrf.Check(r); err != nil {
				s.writeError(w, r, core.Forbiddenf("cross-origin request refused: %v", err))
				return
			}
		}
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// auth registers an endpoint that needs a logged-in operator, by bearer
// token or session cookie. Cookie-authenticated unsafe requests must come
// from the hub's own origin (CSRF defence); bearer requests cannot be forged
// by a browser and are exempt.
func (s *Server) auth(pattern string, fn handlerFunc) {
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		token, viaCookie := credentials(r)
		me, err := s.hub.Authenticate(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if viaCookie {
			if err := s.csrf.Check(r); err != nil {
				s.writeError(w, r, core.Forbiddenf("cross-origin request refused: %v", err))
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, token))
		if err := fn(w, r, me); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// tokenKey carries the caller's session token in the request context.
type tokenKey struct{}

// credentials returns the session token of r: the bearer token when an
// Authorization header is present (never falling back to the cookie), the
// cookie otherwise.
func credentials(r *http.Request) (token string, viaCookie bool) {
	if r.Header.Get("Authorization") != "" {
		return bearerToken(r), false
	}
	c, err := r.Cookie(CookieName)
	if err != nil {
		return "", false
	}
	return c.Value, true
}

func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// muxErrorWriter turns the mux's plain-text 404 and 405 answers into JSON
// errors, keeping the status and the Allow header. Anything else the mux
// writes without a route (a redirect to a cleaned path) passes through.
type muxErrorWriter struct {
	http.ResponseWriter
	wrote, replaced bool
}

func (m *muxErrorWriter) WriteHeader(status int) {
	if m.wrote {
		return
	}
	m.wrote = true
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		m.ResponseWriter.WriteHeader(status)
		return
	}
	m.replaced = true
	code, msg := core.CodeNotFound, "no such endpoint; see /api/v1/openapi.json"
	if status == http.StatusMethodNotAllowed {
		code, msg = codeMethodNotAllowed, "method not allowed; allowed: "+m.Header().Get("Allow")
	}
	writeJSON(m.ResponseWriter, status, errorBody{Error: errorDetail{Code: string(code), Message: msg}})
}

func (m *muxErrorWriter) Write(b []byte) (int, error) {
	if !m.wrote {
		m.WriteHeader(http.StatusOK)
	}
	if m.replaced {
		return len(b), nil // the mux's text body gives way to the JSON above
	}
	return m.ResponseWriter.Write(b)
}
