package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-hq/switchboard/core"
)

var writeScreenshots = flag.Bool("screenshots", false, "write the inbox screenshots of the browser tests to docs/screenshots")

// seedShowcase fills a hub with a realistic inbox: conversations in every
// status, a LIVE one, a topic, a note and an image from the contact. It
// returns the id of the conversation worth showing.
func seedShowcase(t *testing.T, h *uiHub) string {
	t.Helper()
	h.newOperator(t, "ann@example.com", "Ann Lee", core.RoleAdmin)
	h.newOperator(t, "ben@example.com", "Ben Okafor", core.RoleOperator)
	ann, ben := h.api(t, "ann@example.com"), h.api(t, "ben@example.com")
	contact := func(id, name, email, phone string) map[string]string {
		return map[string]string{"id": id, "name": name, "email": email, "phone": phone}
	}
	take := func(c *apiClient, conv string) {
		c.do("POST", "/api/v1/conversations/"+conv+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)
	}
	say := func(c *apiClient, conv, text string, note bool) {
		c.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": text, "note": note}, http.StatusCreated, nil)
	}

	done := h.sendFrom(t, "crm", "s-1", contact("liam", "Liam O'Brien", "liam@example.net", ""), "How do I reset my password?").ConversationID
	take(ben, done)
	say(ben, done, "Use “Forgot password” on the sign-in page; the link is valid for an hour.", false)
	ben.do("POST", "/api/v1/conversations/"+done+"/status", map[string]any{"status": "resolved"}, http.StatusOK, nil)

	waiting := h.sendFrom(t, "photos", "s-2", contact("aiko", "Aiko Tanaka", "aiko@example.jp", "+81 90 1234 5678"), "Is the blue model back in stock?").ConversationID
	take(ben, waiting)
	say(ben, waiting, "It is due on Friday. Shall I reserve one for you?", false)

	maria := h.sendFrom(t, "crm", "s-3", contact("maria", "Maria Garcia", "maria@example.com", "+34 612 345 678"),
		"Hi! My order #1042 hasn't arrived yet. Could you check?").ConversationID
	take(ann, maria)
	ann.do("POST", "/api/v1/conversations/"+maria+"/topic", map[string]any{"topic": "Shipping"}, http.StatusOK, nil)
	say(ann, maria, "Hi Maria, I'm checking with the warehouse now.", false)
	say(ann, maria, "Warehouse: shipped Tuesday with DHL, tracking number still pending.", true)
	h.sendFrom(t, "crm", "s-4", contact("maria", "", "", ""), "Thanks! Here is the receipt, in case it helps.")
	postImage(t, h, "crm", "s-5", "maria", "receipt.png")
	say(ann, maria, "Thank you! It left our warehouse on Tuesday; you'll have the tracking link by email today.", false)

	h.sendFrom(t, "crm", "s-6", contact("jonas", "Jonas Weber", "jonas@example.de", ""), "Can I switch my plan to annual billing?")
	h.sendFrom(t, "crm", "s-7", contact("sofia", "Sofia Rossi", "", "+39 347 123 4567"), "Hello, is anyone there? The checkout page shows an error.")

	// Ann goes online: the next new conversation is routed to her, LIVE.
	ann.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)
	h.sendFrom(t, "crm", "s-8", contact("noah", "Noah Schmidt", "noah@example.org", ""), "Quick question about my invoice from March")
	waitFor(t, "every reply at the receiver", func() bool { return len(h.out.received()) >= 4 })
	return maria
}

// postImage sends a contact message carrying a PNG.
func postImage(t *testing.T, h *uiHub, channel, id, contactID, name string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 240, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 240; x++ {
			c := color.RGBA{R: 245, G: 246, B: 248, A: 255}
			if y < 28 {
				c = color.RGBA{R: 47, G: 111, B: 237, A: 255}
			} else if (y-40)%18 < 6 && x > 16 && x < 16+((y*37)%180)+20 {
				c = color.RGBA{R: 180, G: 188, B: 200, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	data := base64.StdEncoding.EncodeToString(buf.Bytes())
	body := `{"id":"` + id + `","contact":{"id":"` + contactID + `"},"attachments":[{"data_base64":"` + data + `","filename":"` + name + `"}]}`
	resp, b := signedPost(t, h.base+"/api/v1/channels/"+channel+"/messages", testSecret, []byte(body))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("image message: %d %s", resp.StatusCode, b)
	}
}

// screenshot saves a PNG of the tab: into docs/screenshots with
// -screenshots, into the test's temporary directory otherwise. It checks
// the image has the viewport's size.
func (p *uiTab) screenshot(name string, width, height int) {
	p.t.Helper()
	b, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.fail("screenshot %s: %v", name, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != width || cfg.Height != height {
		p.fail("screenshot %s is %dx%d (%v), want %dx%d", name, cfg.Width, cfg.Height, err, width, height)
	}
	dir := p.t.TempDir()
	if *writeScreenshots {
		dir = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			p.t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func TestInboxUI_conversation_and_all_conversations_at_desktop_and_phone_sizes(t *testing.T) {
	h := startUIHub(t)
	maria := seedShowcase(t, h)
	ann := h.tab(t)
	ann.do(chromedp.EmulateViewport(1280, 800))
	ann.login("ann@example.com", "/inbox/mine/"+maria)
	ann.wait("the conversation with its image", `document.querySelector(".att-image img") && document.querySelector(".att-image img").complete && document.querySelector(".att-image img").naturalWidth === 240`)
	ann.wait("the list with the LIVE conversation first", `(r => r && r.textContent.includes("Noah Schmidt") && r.textContent.includes("LIVE"))(document.querySelector(".rows .row"))`)
	ann.wait("list, conversation and side panel side by side", `[".list-pane", ".transcript", ".side"].every(s => document.querySelector(s).getBoundingClientRect().width > 250)`)
	ann.wait("the note set apart", `document.querySelector(".msg.note .note-label").textContent.includes("Note by")`)
	ann.screenshot("conversation.png", 1280, 800)

	ann.click(`.nav-item[data-nav="all"]`)
	ann.wait("every conversation in All", `document.querySelectorAll(".inbox[data-view=all] .row").length === 6`)
	ann.click(`.row[data-id=` + jsString(maria) + `] .row-check`)
	ann.wait("the bulk actions for the ticked row", `document.querySelector(".bulk").classList.contains("active") && document.querySelector(".bulk-count").textContent === "1 selected"`)
	ann.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("details.filters").open = true`))
	ann.screenshot("all-conversations.png", 1280, 800)

	// A 390-px phone: one column, no sideways scrolling, the conversation
	// over the list with a way back.
	ann.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	ann.do(chromedp.Navigate(h.base + "/#/inbox/mine"))
	ann.wait("the list filling the phone screen", `document.querySelector(".list-pane").getBoundingClientRect().width >= 380 && document.querySelector(".rows .row")`)
	ann.wait("no sideways scrolling on the list", `document.documentElement.scrollWidth <= 390`)
	ann.click(`.row[data-id=` + jsString(maria) + `] .row-main`)
	ann.wait("the conversation instead of the list", `document.querySelector(".transcript").getBoundingClientRect().width >= 370 && getComputedStyle(document.querySelector(".list-pane")).display === "none"`)
	ann.wait("no sideways scrolling in the conversation", `document.documentElement.scrollWidth <= 390 && document.querySelector(".conv-head .back").getBoundingClientRect().width > 0`)
	ann.screenshot("phone.png", 780, 1688)
	ann.click(".conv-head .back")
	ann.wait("back at the list", `getComputedStyle(document.querySelector(".list-pane")).display !== "none"`)
}
