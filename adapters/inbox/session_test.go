package inbox_test

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

func TestLogin_sets_a_session_cookie_and_returns_a_bearer_token(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{CookieSecure: true})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/session",
		strings.NewReader(`{"email":"Anna@Example.com","password":"`+password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res := e.send(req).want(http.StatusOK)

	var login struct {
		Token    string
		Operator struct{ ID, Email, Presence string }
	}
	res.decode(&login)
	if login.Token == "" || login.Operator.ID != e.anna.ID || login.Operator.Presence != "away" {
		t.Fatalf("login got = %s, want a token and anna, away", res.body)
	}
	cookies := (&http.Response{Header: res.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies got = %v, want one", cookies)
	}
	c := cookies[0]
	if c.Name != inbox.CookieName || c.Value != login.Token || !c.HttpOnly || !c.Secure ||
		c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie got = %+v, want %s=<token>; HttpOnly; Secure; SameSite=Lax; Path=/", c, inbox.CookieName)
	}

	var me struct{ ID, Email string }
	e.do(http.MethodGet, "/api/v1/me", login.Token, nil).want(http.StatusOK).decode(&me)
	if me.ID != e.anna.ID {
		t.Errorf("GET /me with the bearer token got = %+v, want anna", me)
	}
}

func TestLogin_with_a_wrong_password_is_401(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	msg := e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": e.anna.Email, "password": "wrong password"}).
		wantError(http.StatusUnauthorized, "unauthenticated")
	if msg != "wrong email or password" {
		t.Errorf("message got = %q, want %q", msg, "wrong email or password")
	}
}

func TestRequests_without_a_session_are_401(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	rcpt := e.receive("carla", "hi")
	for _, path := range []string{
		"/api/v1/me", "/api/v1/conversations", "/api/v1/conversations/" + rcpt.ConversationID,
		"/api/v1/conversations/" + rcpt.ConversationID + "/messages", "/api/v1/contacts", "/api/v1/events",
		"/api/v1/operators", "/api/v1/poisoned",
	} {
		e.do(http.MethodGet, path, "", nil).wantError(http.StatusUnauthorized, "unauthenticated")
		e.do(http.MethodGet, path, "not-a-token", nil).wantError(http.StatusUnauthorized, "unauthenticated")
	}
	e.do(http.MethodPost, "/api/v1/conversations/"+rcpt.ConversationID+"/messages", "", map[string]any{"text": "x"}).
		wantError(http.StatusUnauthorized, "unauthenticated")
}

func TestLogout_ends_the_session_for_cookie_and_token(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/session",
		strings.NewReader(`{"email":"ben@example.com","password":"`+password+`"}`))
	login.Header.Set("Content-Type", "application/json")
	sendWith(t, client, login).want(http.StatusOK)

	me, _ := http.NewRequest(http.MethodGet, e.http.URL+"/api/v1/me", nil)
	sendWith(t, client, me).want(http.StatusOK)

	logout, _ := http.NewRequest(http.MethodDelete, e.http.URL+"/api/v1/session", nil)
	sendWith(t, client, logout).want(http.StatusNoContent)

	me, _ = http.NewRequest(http.MethodGet, e.http.URL+"/api/v1/me", nil)
	sendWith(t, client, me).want(http.StatusUnauthorized)

	e.do(http.MethodDelete, "/api/v1/session", e.anna.Token, nil).want(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/me", e.anna.Token, nil).wantError(http.StatusUnauthorized, "unauthenticated")
}

func TestCookie_requests_from_a_foreign_origin_are_refused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{PublicURL: "https://hub.example.com"})
	conv := e.receive("carla", "hi").ConversationID
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/session",
		strings.NewReader(`{"email":"anna@example.com","password":"`+password+`"}`))
	login.Header.Set("Content-Type", "application/json")
	sendWith(t, client, login).want(http.StatusOK)

	assign := func(header, value string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/conversations/"+conv+"/assign",
			strings.NewReader(`{"operator":"me"}`))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(header, value)
		}
		return req
	}
	sendWith(t, client, assign("Origin", "https://evil.example")).wantError(http.StatusForbidden, "forbidden")
	sendWith(t, client, assign("Sec-Fetch-Site", "cross-site")).wantError(http.StatusForbidden, "forbidden")
	if got := e.list(e.anna.Token, "?view=mine"); len(got) != 0 {
		t.Fatalf("a refused cross-origin request changed state: mine = %v", ids(got))
	}

	sendWith(t, client, assign("Origin", e.http.URL)).want(http.StatusOK)
	sendWith(t, client, assign("Origin", "https://hub.example.com")).want(http.StatusOK)
	sendWith(t, client, assign("", "")).want(http.StatusOK) // no Origin: not a browser form post

	// A bearer token cannot be sent by another site's page: no origin check.
	req := assign("Origin", "https://evil.example")
	req.Header.Set("Authorization", "Bearer "+e.anna.Token)
	e.send(req).want(http.StatusOK)

	// Reads are safe from any origin.
	get, _ := http.NewRequest(http.MethodGet, e.http.URL+"/api/v1/me", nil)
	get.Header.Set("Origin", "https://evil.example")
	sendWith(t, client, get).want(http.StatusOK)
}

func TestJSON_bodies_are_decoded_strictly_with_clear_errors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.receive("carla", "hi").ConversationID
	path := "/api/v1/conversations/" + conv + "/status"
	cases := []struct {
		name, body, contentType, want string
	}{
		{"unknown field", `{"status":"open","colour":"red"}`, "application/json", `unknown field "colour"`},
		{"wrong type", `{"status":3}`, "application/json", `field "status" must be a string`},
		{"malformed", `{"status":`, "application/json", "ends too early"},
		{"empty", ``, "application/json", "body is empty"},
		{"two values", `{"status":"open"} {}`, "application/json", "single JSON object"},
		{"not JSON", `status=open`, "application/x-www-form-urlencoded", "Content-Type: application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Authorization", "Bearer "+e.admin.Token)
			msg := e.send(req).wantError(http.StatusBadRequest, "invalid")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message got = %q, want it to contain %q", msg, tc.want)
			}
		})
	}
	big := `{"status":"` + strings.Repeat("a", inbox.MaxJSONBody) + `"}`
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+path, strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.admin.Token)
	e.send(req).wantError(http.StatusRequestEntityTooLarge, "too_large")
}

func TestAPI_responses_are_not_cached_and_unknown_routes_answer_JSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	res := e.do(http.MethodGet, "/api/v1/me", e.anna.Token, nil).want(http.StatusOK)
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control got = %q, want no-store", got)
	}
	e.do(http.MethodGet, "/api/v1/nothing-here", e.anna.Token, nil).wantError(http.StatusNotFound, "not_found")
	res = e.do(http.MethodPatch, "/api/v1/me", e.anna.Token, nil)
	res.wantError(http.StatusMethodNotAllowed, "method_not_allowed")
	if !strings.Contains(res.header.Get("Allow"), "GET") {
		t.Errorf("Allow got = %q, want GET listed", res.header.Get("Allow"))
	}
}
