package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/internal/browsertest"
)

// widgetRoot is the widget's shadow root on the demo page.
const widgetRoot = `document.querySelector("#sbwc-web").shadowRoot`

// widgetPage is the /demo page in a headless Chromium tab.
type widgetPage struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func openWidgetPage(t *testing.T, b *browsertest.Browser, url string) *widgetPage {
	t.Helper()
	p := &widgetPage{t: t, ctx: b.Context(t, 90*time.Second)}
	console := chromedp.Console(p.ctx)
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
			t.Errorf("script error on the demo page: %s", e)
		}
	})
	p.do(chromedp.Navigate(url))
	return p
}

func (p *widgetPage) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// in selects an element inside the widget's shadow root.
func in(css string) chromedp.JSPath {
	return chromedp.JSPath(widgetRoot + ".querySelector(" + jsQuote(css) + ")")
}

func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// wait polls a JavaScript condition on the page until it holds.
func (p *widgetPage) wait(what, js string) {
	p.t.Helper()
	guarded := "(() => { try { return !!(" + js + "); } catch (e) { return false; } })()"
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](guarded, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		p.t.Fatalf("timed out waiting until %s: %v", what, err)
	}
}

func (p *widgetPage) eval(js string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// messageWith is a JS expression finding a widget message of class cls
// whose text contains text.
func messageWith(cls, text string) string {
	return `[...` + widgetRoot + `.querySelectorAll(` + jsQuote(cls) + `)].find(m => m.textContent.includes(` + jsQuote(text) + `))`
}

func TestWebchatBrowser_demo_visitor_writes_operator_replies_and_deletes_and_an_upload_reaches_the_transcript(t *testing.T) {
	b := browsertest.Start(t)
	h := startHub(t, webchatYAML())
	ann := h.operator("ann@example.com", core.RoleOperator)
	ann.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)

	p := openWidgetPage(t, b, h.base+"/demo")
	p.wait("the launcher", widgetRoot+`.querySelector(".sbwc-launcher")`)
	p.do(chromedp.Click(in(".sbwc-launcher")))
	p.wait("the open panel, online", `!`+widgetRoot+`.querySelector(".sbwc-panel").hidden && `+widgetRoot+`.querySelector(".sbwc-status").textContent === "We are online"`)
	p.eval(`window.__sameDocument = "yes"`)

	// The visitor writes.
	p.do(chromedp.SendKeys(in(".sbwc-input"), "Hello from the browser"+kb.Enter))
	p.wait("the visitor's message confirmed", messageWith(".sbwc-visitor[data-id]", "Hello from the browser"))
	convs := ann.view("all")
	if len(convs) != 1 {
		t.Fatalf("conversations = %+v, want the visitor's", convs)
	}
	conv := convs[0].ID

	// The operator replies through the API: it shows without a reload.
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Hi, I am Ann. How can I help?"}, http.StatusCreated, &reply)
	p.wait("the operator's reply", messageWith(".sbwc-operator[data-id="+jsQuote(reply.ID)+"]", "How can I help?"))
	waitFor(t, "the reply to be read (panel open)", func() bool {
		for _, m := range ann.messages(conv) {
			if m.ID == reply.ID {
				return m.Status == "read"
			}
		}
		return false
	})

	// The operator deletes it: the visitor sees the marker instead.
	if _, err := h.app.hub.DeleteSent(context.Background(), ann.op, reply.ID); err != nil {
		t.Fatal(err)
	}
	p.wait("the deletion marker", `(m => m && m.classList.contains("sbwc-deleted") && m.textContent === "Message deleted")(`+
		widgetRoot+`.querySelector("[data-id=`+reply.ID+`]"))`)
	if strings.Contains(p.eval(widgetRoot+`.querySelector(".sbwc-list").textContent`), "How can I help?") {
		t.Error("the deleted reply's text is still on the page")
	}

	// The visitor uploads a PNG: it shows in the chat and in the transcript.
	png := filepath.Join(t.TempDir(), "receipt.png")
	if err := os.WriteFile(png, onePixelPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(in(".sbwc-file"), []string{png}))
	p.wait("the uploaded image in the chat", widgetRoot+`.querySelector(".sbwc-visitor[data-id] img")`)
	waitFor(t, "the PNG in the operator's transcript", func() bool {
		var out struct {
			Messages []struct {
				Direction   string `json:"direction"`
				Attachments []struct {
					Filename    string `json:"filename"`
					ContentType string `json:"content_type"`
				} `json:"attachments"`
			} `json:"messages"`
		}
		ann.do("GET", "/api/v1/conversations/"+conv+"/messages", nil, http.StatusOK, &out)
		for _, m := range out.Messages {
			for _, a := range m.Attachments {
				if m.Direction == "in" && a.Filename == "receipt.png" && a.ContentType == "image/png" {
					return true
				}
			}
		}
		return false
	})
	if p.eval(`String(window.__sameDocument)`) != "yes" {
		t.Fatal("the demo page reloaded during the conversation")
	}
}

// onePixelPNG is a valid 1x1 PNG.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
