package main

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-hq/switchboard/core"
)

func TestInboxUI_message_arrives_live_is_taken_answered_resolved_and_reopens(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/unassigned")
	ann.wait("the empty unassigned list", `document.querySelector(".inbox[data-view=unassigned]") && document.querySelector(".list-status").textContent.includes("No unassigned")`)
	evalJS[int](ann, `window.__sameDocument = 1`)

	// A contact writes: the conversation shows in Unassigned without a reload.
	first := h.send("crm", "ext-1", "alice", "Hello, my order 1042 is late", http.StatusAccepted)
	ann.wait("the new conversation in Unassigned", `!!document.querySelector(`+jsString(rowSel(first.ConversationID))+`)`)
	if row := ann.text(rowSel(first.ConversationID)); !strings.Contains(row, "Contact alice") || !strings.Contains(row, "NEW") || !strings.Contains(row, "order 1042") {
		t.Errorf("row = %q, want the contact, NEW and the message", row)
	}
	if evalJS[int](ann, `window.__sameDocument || 0`) != 1 {
		t.Fatal("the page reloaded to show the new conversation")
	}

	// Open it: unassigned, so the composer offers notes and "Assign to me".
	ann.click(rowSel(first.ConversationID) + " .row-main")
	ann.wait("the conversation view", `document.querySelector("#composer-reason") && document.querySelector("#composer-reason").textContent.includes("unassigned")`)
	ann.click("#assign-me")
	ann.wait("the composer in message mode", `document.querySelector("[data-mode=message]").getAttribute("aria-checked") === "true" && document.querySelector(".composer-banner").hidden`)

	// Reply: the receiver gets it and the transcript shows it as sent.
	ann.typeIn("#composer-text", "It ships today.\r")
	waitFor(t, "the reply at the receiver", func() bool { return len(h.out.received()) == 1 })
	var posted struct{ Text string }
	if err := json.Unmarshal(h.out.received()[0], &posted); err != nil || posted.Text != "It ships today." {
		t.Fatalf("receiver got %s (%v)", h.out.received()[0], err)
	}
	ann.wait("the reply shown as sent", `[...document.querySelectorAll(".msg.out")].some(m => m.textContent.includes("It ships today.") && m.dataset.status === "sent")`)
	if v := evalJS[string](ann, `document.querySelector("#composer-text").value`); v != "" {
		t.Errorf("composer after sending = %q, want empty", v)
	}

	// Resolve, then the contact writes again: OPEN, in Mine, live.
	ann.click("#resolve")
	ann.wait("the resolved status", `document.querySelector("#conv-status").textContent === "RESOLVED"`)
	ann.do(chromedp.Navigate(h.base + "/#/inbox/mine/" + first.ConversationID))
	ann.wait("mine without the resolved conversation", `document.querySelector(".inbox[data-view=mine]") && document.querySelector(".list-status").textContent !== "" && !document.querySelector(`+jsString(rowSel(first.ConversationID))+`)`)
	h.send("crm", "ext-2", "alice", "Thanks! One more question", http.StatusAccepted)
	ann.wait("the conversation back in Mine as OPEN", `(r => r && r.textContent.includes("OPEN"))(document.querySelector(`+jsString(rowSel(first.ConversationID))+`))`)
	ann.wait("the open conversation's status OPEN", `document.querySelector("#conv-status").textContent === "OPEN" && document.querySelector(".transcript").textContent.includes("One more question")`)
}

func TestInboxUI_non_assignee_writes_notes_with_the_reason_and_the_assignee_sees_them_live(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	h.newOperator(t, "ben@example.com", "Ben", core.RoleOperator)
	conv := assignedConversation(h.hubUnderTest, h.api(t, "ann@example.com"), "crm", "carol")

	ann, ben := h.tab(t), h.tab(t)
	ann.login("ann@example.com", "/inbox/mine/"+conv)
	ben.login("ben@example.com", "/all/"+conv)
	ann.wait("Ann may write messages", `document.querySelector("[data-mode=message]").getAttribute("aria-checked") === "true" && !document.querySelector("[data-mode=message]").disabled`)
	ben.wait("Ben held to notes", `document.querySelector("[data-mode=note]").getAttribute("aria-checked") === "true" && document.querySelector("[data-mode=message]").disabled`)
	if reason := ben.text("#composer-reason"); !strings.Contains(reason, "Only Ann, the assigned operator, can reply") {
		t.Errorf("Ben's composer says %q, want the reason he cannot reply", reason)
	}
	if evalJS[bool](ben, `!!document.querySelector("#assign-me")`) {
		t.Error(`Ben is offered "Assign to me" on Ann's conversation, which he may not take`)
	}

	ben.typeIn("#composer-text", "Carol called too: she prefers email.\r")
	ann.wait("Ben's note in Ann's transcript", `[...document.querySelectorAll(".msg.note")].some(m => m.textContent.includes("Carol called too") && m.textContent.includes("Note by Ben"))`)
	ann.wait("the note in Ann's side panel", `document.querySelector(".notes").textContent.includes("Carol called too")`)
	if n := h.out.callCount(); n != 0 {
		t.Errorf("the receiver was called %d times; a note must not leave the hub", n)
	}
}

func TestInboxUI_macro_picker_inserts_a_macro_and_commands_set_status_and_topic(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	api := h.api(t, "ann@example.com")
	api.do("POST", "/api/v1/macros", map[string]string{"name": "thanks", "text": "Thank you for your patience!"}, http.StatusCreated, nil)
	api.do("POST", "/api/v1/macros", map[string]string{"name": "hours", "text": "We are open 9 to 5."}, http.StatusCreated, nil)
	conv := assignedConversation(h.hubUnderTest, api, "crm", "dave")
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/mine/"+conv)
	ann.wait("the composer", `document.querySelector("#composer-text") && !document.querySelector(".conv[aria-busy]")`)

	// "!" lists the macros; typing narrows; Enter puts the text in.
	ann.typeIn("#composer-text", "!")
	ann.wait("the macro picker", `!document.querySelector("#picker").hidden && document.querySelectorAll("#picker .pick").length === 2`)
	ann.typeIn("#composer-text", "th")
	ann.wait("the picker narrowed to !thanks", `(p => p.length === 1 && p[0].dataset.pick === "!thanks")(document.querySelectorAll("#picker .pick"))`)
	ann.typeIn("#composer-text", "\r")
	if v := evalJS[string](ann, `document.querySelector("#composer-text").value`); v != "Thank you for your patience!" {
		t.Fatalf("composer after choosing the macro = %q, want its text", v)
	}
	ann.typeIn("#composer-text", "\r")
	waitFor(t, "the macro at the receiver", func() bool { return len(h.out.received()) == 1 })
	ann.wait("the macro text in the transcript", `[...document.querySelectorAll(".msg.out")].some(m => m.textContent.includes("Thank you for your patience!"))`)

	// "$" lists the commands with what they do.
	ann.typeIn("#composer-text", "$st")
	ann.wait("the command picker", `(p => p && p.textContent.includes("Change the conversation's status"))(document.querySelector("#picker:not([hidden]) .pick[data-pick^='$status']"))`)
	ann.typeIn("#composer-text", "atus waiting\r")
	ann.wait("the status WAITING in the header", `document.querySelector("#conv-status").textContent === "WAITING"`)
	ann.typeIn("#composer-text", "$topic Billing\r")
	ann.wait("the topic in the action bar", `document.querySelector("#topic").textContent === "Topic: Billing"`)

	var got struct{ Status, Topic string }
	api.do("GET", "/api/v1/conversations/"+conv, nil, http.StatusOK, &got)
	if got.Status != "waiting" || got.Topic != "Billing" {
		t.Errorf("conversation = %+v, want waiting with topic Billing", got)
	}
	if n := len(h.out.received()); n != 1 {
		t.Errorf("the receiver got %d messages; commands must not be sent to the contact", n)
	}
}

func TestInboxUI_files_by_button_paste_and_drop_are_checked_and_a_refused_one_shows_the_reason_and_sends_nothing(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	api := h.api(t, "ann@example.com")
	conv := assignedConversation(h.hubUnderTest, api, "photos", "erin") // PNG and JPEG only
	before := len(api.messages(conv))
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	fake := filepath.Join(dir, "holiday.png") // named like an image, but text inside
	for _, f := range []string{text, fake} {
		if err := os.WriteFile(f, []byte("this is not a picture\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// What the hub answers for the fake image, sniffing its bytes.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "holiday.png")
	_, _ = fw.Write([]byte("this is not a picture\n"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", h.base+"/api/v1/conversations/"+conv+"/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+api.token)
	var refusal struct{ Error struct{ Message string } }
	api.roundTrip(req, http.StatusUnprocessableEntity, &refusal)

	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/mine/"+conv)
	ann.wait("the capability hint", `document.querySelector(".cap-hint").textContent.includes("channel photos accepts image/png, image/jpeg")`)

	// A text file: the composer refuses it before sending, saying why.
	ann.do(chromedp.SetUploadFiles(chromedp.CSS(".composer input[type=file]"), []string{text}))
	ann.wait("the refusal under the composer", `(e => !e.hidden && e.textContent === "notes.txt: channel photos accepts only image/png, image/jpeg; this file is text/plain")(document.querySelector(".composer-error"))`)
	if n := evalJS[int](ann, `document.querySelectorAll(".staged .chip").length`); n != 0 {
		t.Errorf("%d files staged, want the refused one left out", n)
	}

	// A file that only looks like an image: the hub sniffs it and refuses;
	// the composer shows its words exactly and keeps the draft.
	ann.do(chromedp.SetUploadFiles(chromedp.CSS(".composer input[type=file]"), []string{fake}))
	ann.wait("the fake image staged", `document.querySelectorAll(".staged .chip").length === 1`)
	ann.typeIn("#composer-text", "Here is the photo\r")
	ann.wait("the hub's refusal", `(e => !e.hidden && e.textContent === `+jsString(refusal.Error.Message)+`)(document.querySelector(".composer-error"))`)
	if v := evalJS[string](ann, `document.querySelector("#composer-text").value`); v != "Here is the photo" {
		t.Errorf("composer after the refusal = %q, want the text kept", v)
	}
	if after := len(api.messages(conv)); after != before {
		t.Errorf("messages went from %d to %d; a refused file must store nothing", before, after)
	}
	if n := h.out.callCount(); n != 0 {
		t.Errorf("the receiver was called %d times", n)
	}
	if n := evalJS[int](ann, `document.querySelectorAll(".msg.out").length`); n != 0 {
		t.Errorf("the transcript shows %d outgoing messages, want none", n)
	}

	// Files also come by paste and by drag and drop, checked the same way;
	// a real PNG dropped on the composer goes out.
	ann.click(".chip-x")
	ann.clear("#composer-text")
	ann.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["plain text"], "pasted.txt", { type: "text/plain" }));
		document.querySelector("#composer-text").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
	})()`))
	ann.wait("the pasted text file refused", `document.querySelector(".composer-error").textContent.startsWith("pasted.txt: channel photos accepts only")`)
	ann.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const png = Uint8Array.from(atob(` + jsString(onePixelPNGBase64) + `), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([png], "dot.png", { type: "image/png" }));
		document.querySelector(".composer").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`))
	ann.wait("the dropped image staged", `(c => c.length === 1 && c[0].textContent.startsWith("dot.png"))(document.querySelectorAll(".staged .chip"))`)
	ann.click(".composer button.send")
	ann.wait("the image in the transcript", `!!document.querySelector(".msg.out .att-image img")`)
	waitFor(t, "the image at the receiver", func() bool { return len(h.out.received()) == 1 })
}

// onePixelPNGBase64 is a 1×1 PNG.
const onePixelPNGBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

func TestInboxUI_markup_from_a_contact_renders_as_text_and_runs_nothing(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	const payload = `<img src=x onerror=alert(1)>`
	const name = `<b onmouseover=alert(2)>Mallory</b><script>alert(3)</script>`
	in := h.sendFrom(t, "crm", "xss-1", map[string]string{"id": "mallory", "name": name}, payload)
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/unassigned")
	ann.wait("the row", `!!document.querySelector(`+jsString(rowSel(in.ConversationID))+`)`)
	ann.click(rowSel(in.ConversationID) + " .row-main")
	ann.wait("the transcript", `document.querySelector(".msg.in .msg-text")`)
	ann.do(chromedp.Sleep(300 * time.Millisecond)) // time for an injected onerror to fire

	checks := []struct{ what, js string }{
		{"the message shown literally", `document.querySelector(".msg.in .msg-text").textContent === ` + jsString(payload)},
		{"the list preview shown literally", `document.querySelector(".row .row-preview").textContent === ` + jsString(payload)},
		{"the name shown literally in the list", `document.querySelector(".row .row-name").textContent === ` + jsString(name)},
		{"the name shown literally in the header", `document.querySelector("#conv-name").textContent === ` + jsString(name)},
		{"no element made from the payload", `!document.querySelector("img[src=x], .row b, .conv b, main script")`},
	}
	for _, c := range checks {
		if !evalJS[bool](ann, c.js) {
			t.Errorf("%s: %s is false", c.what, c.js)
		}
	}
	ann.mu.Lock()
	defer ann.mu.Unlock()
	if len(ann.dialogs) > 0 {
		t.Errorf("script from the contact ran: dialogs %q opened", ann.dialogs)
	}
}

func TestInboxUI_search_finds_a_conversation_by_a_word_and_by_the_contacts_phone(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	parcel := h.sendFrom(t, "crm", "s-1", map[string]string{"id": "p", "name": "Pia", "phone": "+4915123456789"}, "My parcel arrived damaged").ConversationID
	other := h.sendFrom(t, "crm", "s-2", map[string]string{"id": "q", "name": "Quinn", "phone": "+4930555000"}, "Question about an invoice").ConversationID
	ann := h.tab(t)
	ann.login("ann@example.com", "/all")
	ann.wait("both conversations", `document.querySelectorAll(".inbox[data-view=all] .row").length === 2`)
	only := func(id string) string {
		return `(r => r.length === 1 && r[0].dataset.id === ` + jsString(id) + `)(document.querySelectorAll(".inbox[data-view=all] .row"))`
	}
	for _, q := range []struct{ text, want string }{
		{"damaged", parcel},
		{"invoice", other},
		{"+49 151 23456789", parcel},
		{"+4930555000", other},
	} {
		ann.clear("[data-search]")
		ann.typeIn("[data-search]", q.text)
		ann.wait("only the conversation matching "+q.text, only(q.want))
	}
	ann.clear("[data-search]")
	ann.typeIn("[data-search]", "nonexistentword")
	ann.wait("nothing found", `document.querySelectorAll(".inbox[data-view=all] .row").length === 0 && document.querySelector(".list-status").textContent === "Nothing matches the search."`)
}

func TestInboxUI_GDPR_erase_removes_the_contact_from_every_view_and_from_search(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ada@example.com", "Ada", core.RoleAdmin)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	eve := h.sendFrom(t, "crm", "e-1", map[string]string{"id": "eve", "name": "Eve Erasable", "phone": "+441632960001"}, "Please delete everything about me, order 7781")
	h.sendFrom(t, "crm", "e-2", map[string]string{"id": "bob", "name": "Bob Keeper"}, "Unrelated question")
	conv, err := h.app.st.store.Conversation(context.Background(), eve.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	eveID := conv.ContactID

	// Ann watches the unassigned list while Ada erases Eve.
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/unassigned")
	ann.wait("Eve's conversation in Ann's list", `!!document.querySelector(`+jsString(rowSel(eve.ConversationID))+`)`)

	ada := h.tab(t)
	ada.login("ada@example.com", "/contacts/"+eveID)
	ada.wait("Eve's profile", `document.querySelector("#contact-name").textContent === "Eve Erasable"`)
	ada.click("#erase")
	ada.wait("the typed confirmation", `document.querySelector("[data-confirm=yes]").disabled`)
	ada.typeIn("[data-confirm-input]", "Eve Erasabl")
	if !evalJS[bool](ada, `document.querySelector("[data-confirm=yes]").disabled`) {
		t.Fatal("erase is enabled before the whole name is typed")
	}
	ada.typeIn("[data-confirm-input]", "e")
	ada.click("[data-confirm=yes]")
	ada.wait("the contact list without Eve", `location.hash === "#/contacts" && document.querySelector("table.contacts tbody tr") && !document.querySelector("table.contacts").textContent.includes("Eve")`)

	ann.wait("Eve's conversation gone from Ann's list, live", `!document.querySelector(`+jsString(rowSel(eve.ConversationID))+`) && document.querySelector(".rows").textContent.includes("Bob Keeper")`)
	ada.do(chromedp.Navigate(h.base + "/#/all"))
	ada.wait("All without Eve", `document.querySelectorAll(".inbox[data-view=all] .row").length === 1`)
	for _, q := range []string{"7781", "Eve", "+441632960001"} {
		ada.clear("[data-search]")
		ada.typeIn("[data-search]", q)
		ada.wait("no search result for "+q, `document.querySelector(".list-status").textContent === "Nothing matches the search."`)
	}
	api := h.api(t, "ada@example.com")
	api.do("GET", "/api/v1/conversations/"+eve.ConversationID, nil, http.StatusNotFound, nil)
	api.do("GET", "/api/v1/contacts/"+eveID, nil, http.StatusNotFound, nil)
}

func TestInboxUI_keyboard_moves_and_replies_and_an_expired_session_keeps_the_draft(t *testing.T) {
	h := startUIHub(t)
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	var convs []string // in list order: newest first
	for _, c := range []string{"kim", "lou", "max"} {
		convs = append([]string{h.send("crm", "k-"+c, c, "Hello from "+c, http.StatusAccepted).ConversationID}, convs...)
	}
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/unassigned")
	ann.wait("three rows", `document.querySelectorAll(".row").length === 3`)
	open := func(id string) string {
		return `location.hash.endsWith("/` + id + `") && document.querySelector(".conv[data-conversation='` + id + `']:not([aria-busy])")`
	}
	ann.do(chromedp.KeyEvent("j"))
	ann.wait("j opens the first conversation", open(convs[0]))
	ann.do(chromedp.KeyEvent("j"))
	ann.wait("j again opens the second", open(convs[1]))
	ann.do(chromedp.KeyEvent("k"))
	ann.wait("k goes back to the first", open(convs[0]))
	ann.do(chromedp.KeyEvent("r"))
	ann.wait("r puts the cursor in the composer", `document.activeElement && document.activeElement.id === "composer-text"`)
	ann.do(chromedp.KeyEvent("A draft worth keeping"))
	ann.do(chromedp.KeyEvent(kb.Escape))
	ann.wait("Esc leaves the composer", `document.activeElement.id !== "composer-text"`)
	ann.do(chromedp.KeyEvent(kb.Escape))
	ann.wait("Esc again closes the conversation", `location.hash === "#/inbox/unassigned" && document.querySelector(".empty-conv")`)

	// The session ends on the server (as when it expires); the next call
	// brings the login form, and after signing in the draft is there.
	cookies, err := chromedp.Call(ann.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{h.base}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		if c.Name == "switchboard_session" {
			(&apiClient{t: t, base: h.base, token: c.Value}).do("DELETE", "/api/v1/session", nil, http.StatusNoContent, nil)
		}
	}
	ann.do(chromedp.KeyEvent("j"))
	ann.wait("the login form saying the session ended", `document.querySelector("#login .notice") && document.querySelector("#login .notice").textContent.includes("drafts are kept")`)
	// The "j" that met the ended session may have reached the password
	// field the login form focused: start from an empty field.
	ann.clear("#login input[name=password]")
	ann.do(chromedp.SendKeys(chromedp.CSS("#login input[name=password]"), uiPassword), chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	ann.wait("back in the inbox", `!!document.querySelector(".sidebar")`)
	ann.do(chromedp.Navigate(h.base + "/#/inbox/unassigned/" + convs[0]))
	ann.wait("the draft back in the composer", `document.querySelector("#composer-text") && document.querySelector("#composer-text").value === "A draft worth keeping"`)
}

func TestInboxUI_a_refused_delivery_shows_failed_with_the_reason_and_retry_sends_it(t *testing.T) {
	h := startUIHub(t, http.StatusBadRequest) // the receiver refuses the first reply
	h.newOperator(t, "ann@example.com", "Ann", core.RoleOperator)
	conv := assignedConversation(h.hubUnderTest, h.api(t, "ann@example.com"), "crm", "fay")
	ann := h.tab(t)
	ann.login("ann@example.com", "/inbox/mine/"+conv)
	ann.wait("the composer", `document.querySelector("#composer-text") && !document.querySelector(".conv[aria-busy]")`)
	ann.typeIn("#composer-text", "Your refund is on its way\r")
	failed := `(m => m && m.dataset.status === "failed" && m.querySelector(".fail-reason").textContent.includes("400"))(document.querySelector(".msg.out"))`
	ann.wait("the reply shown failed with the provider's reason", failed)
	if evalJS[bool](ann, `document.querySelector(".msg.out").textContent.includes("Sent")`) {
		t.Fatal("a refused message shows as sent")
	}
	ann.wait("the failed count in the side panel", `document.querySelector(".side").textContent.includes("Failed1")`)
	ann.click(".msg.out .retry")
	ann.wait("the retried reply shown as sent", `document.querySelector(".msg.out").dataset.status === "sent"`)
	waitFor(t, "the retried reply at the receiver", func() bool { return len(h.out.received()) == 1 })
}
