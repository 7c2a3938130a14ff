package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/internal/browsertest"
)

// uiPassword is the password of every operator the browser tests create.
const uiPassword = "correct horse battery"

// uiHub is a running hub whose operator replies go to a recording
// receiver, with a headless Chromium to drive its inbox.
type uiHub struct {
	*hubUnderTest
	out     *receiver
	browser *browsertest.Browser
	first   context.Context // the first tab; further operators get isolated browser contexts beside it
}

// startUIHub starts a hub whose receiver answers the first calls with
// answers (then 200), and a browser.
func startUIHub(t *testing.T, answers ...int) *uiHub {
	t.Helper()
	b := browsertest.Start(t)
	out := newReceiver(t, testSecret, answers...)
	srv := httptest.NewServer(out)
	t.Cleanup(srv.Close)
	return &uiHub{hubUnderTest: startHub(t, hubYAML(srv.URL, "")), out: out, browser: b}
}

// tab is one operator's browser tab, in a browser context of its own
// (cookies and storage apart from every other tab's).
type uiTab struct {
	t       *testing.T
	ctx     context.Context
	base    string
	mu      sync.Mutex
	dialogs []string // JavaScript dialogs that opened (and were dismissed)
	errors  []string // uncaught exceptions
}

// tab opens a tab for an operator. Uncaught script errors fail the test.
func (h *uiHub) tab(t *testing.T) *uiTab {
	t.Helper()
	var ctx context.Context
	if h.first == nil {
		ctx = h.browser.Context(t, 90*time.Second)
		h.first = ctx
	} else {
		c, cancel := chromedp.NewContext(h.first, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(c); err != nil {
			t.Fatalf("open a second browser context: %v", err)
		}
		ctx = c
	}
	p := &uiTab{t: t, ctx: ctx, base: h.base}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	console := chromedp.Console(ctx)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.dialogs = append(p.dialogs, ev.Message)
			p.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				p.mu.Lock()
				p.errors = append(p.errors, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range p.errors {
			t.Errorf("script error in the inbox: %s", e)
		}
	})
	return p
}

// operator creates an operator through the hub (not the UI).
func (h *uiHub) newOperator(t *testing.T, email, name string, role core.Role) core.Operator {
	t.Helper()
	op, err := h.app.hub.CreateOperator(context.Background(), core.NewOperator{Email: email, Name: name, Password: uiPassword, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// api logs in through the API for set-up steps the test does not drive in
// the browser.
func (h *uiHub) api(t *testing.T, email string) *apiClient {
	t.Helper()
	op, err := h.app.st.store.OperatorByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	c := &apiClient{t: t, base: h.base, op: op}
	var out struct{ Token string }
	c.do("POST", "/api/v1/session", map[string]string{"email": email, "password": uiPassword}, http.StatusOK, &out)
	c.token = out.Token
	return c
}

// sendFrom posts a signed inbound message with the contact's details.
func (h *uiHub) sendFrom(t *testing.T, channel, id string, contact map[string]string, text string) inboundMessage {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": id, "contact": contact, "text": text})
	resp, b := signedPost(t, h.base+"/api/v1/channels/"+channel+"/messages", testSecret, body)
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		t.Fatalf("inbound %s: status %d (%s)", id, resp.StatusCode, b)
	}
	var out inboundMessage
	_ = json.Unmarshal(b, &out)
	return out
}

// login opens the inbox at route and signs in through the form.
func (p *uiTab) login(email, route string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base+"/#"+route), chromedp.WaitVisible(chromedp.CSS("#login input[name=password]")))
	p.clear("#login input[name=email]")
	p.clear("#login input[name=password]")
	p.do(chromedp.SendKeys(chromedp.CSS("#login input[name=email]"), email),
		chromedp.SendKeys(chromedp.CSS("#login input[name=password]"), uiPassword),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".sidebar")))
}

// do runs browser actions, failing the test on error or after 15 seconds
// (an element that never shows up).
func (p *uiTab) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail("browser: %v", err)
	}
}

// wait polls a JavaScript condition until it holds, or fails the test
// saying what it waited for.
func (p *uiTab) wait(what, js string) {
	p.t.Helper()
	guarded := "(() => { try { return !!(" + js + "); } catch (e) { return false; } })()"
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](guarded, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		p.fail("timed out waiting until %s (%s): %v", what, js, err)
	}
}

// eval evaluates js and decodes its value into T.
func evalJS[T any](p *uiTab, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.fail("evaluate %s: %v", js, err)
	}
	return v
}

// text is the visible text of the first element matching css.
func (p *uiTab) text(css string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		p.fail("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// typeIn types into the element matching css, as a person would.
func (p *uiTab) typeIn(css, keys string) {
	p.t.Helper()
	p.do(chromedp.SendKeys(chromedp.CSS(css), keys, chromedp.NodeVisible))
}

// clear empties a text field without firing its input event, for typeIn
// to type afresh.
func (p *uiTab) clear(css string) {
	p.t.Helper()
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsString(css) + `).value = ""`))
}

func (p *uiTab) click(css string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// fail stops the test, saving a screenshot of the tab for the post-mortem
// when SWITCHBOARD_UI_FAILURES names a directory.
func (p *uiTab) fail(format string, args ...any) {
	p.t.Helper()
	if dir := os.Getenv("SWITCHBOARD_UI_FAILURES"); dir != "" {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), 5*time.Second)
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name())+".png")
			_ = os.WriteFile(name, png, 0o644)
		}
	}
	// What the page showed, to tell a slow page from a wrong one.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), 5*time.Second)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.body ? document.body.innerText : "").slice(0, 600)`))
	p.t.Fatalf(format+"\npage text: %q", append(args, page)...)
}

// jsString quotes s for JavaScript source.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rowSel selects a conversation's row in the list.
func rowSel(conversationID string) string {
	return fmt.Sprintf(`.row[data-id=%q]`, conversationID)
}
