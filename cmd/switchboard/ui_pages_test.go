package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestInboxUI_all_conversations_filters_and_bulk_actions_with_trash_and_restore(t *testing.T) {
	h := startUIHub(t)
	seedShowcase(t, h)
	ann := h.tab(t)
	ann.login("ann@example.com", "/all")
	rows := `document.querySelectorAll(".inbox[data-view=all] .row")`
	ann.wait("six conversations", rows+`.length === 6`)

	ann.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("details.filters").open = true`))
	ann.do(chromedp.SetValue(chromedp.CSS(`select[data-filter=status]`), "waiting"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("select[data-filter=status]").dispatchEvent(new Event("change"))`))
	ann.wait("the two waiting ones", rows+`.length === 2 && [...`+rows+`].every(r => r.textContent.includes("WAITING"))`)

	ann.click(`.bulk-all input`)
	ann.wait("both ticked", `document.querySelector(".bulk-count").textContent === "2 selected"`)
	ann.click(`.bulk-actions button:nth-of-type(1)`) // Topic…
	ann.typeIn(`.dialog input`, "Follow-up\r")
	ann.wait("the topic on both", `[...`+rows+`].every(r => r.querySelector(".row-topic") && r.querySelector(".row-topic").textContent === "Follow-up")`)

	ann.click(`.bulk-all input`)
	ann.click(`.bulk-actions button.danger`) // Move to Trash
	ann.click(`[data-confirm=yes]`)
	ann.wait("both gone from All", rows+`.length === 0`)
	ann.click(`.tabs a[href="#/trash"]`)
	trash := `document.querySelectorAll(".inbox[data-view=trash] .row")`
	ann.wait("both in the Trash", trash+`.length === 2`)
	ann.click(`.bulk-all input`)
	ann.click(`.bulk-actions button:not(.danger)`) // Restore
	ann.wait("the Trash empty again", trash+`.length === 0 && document.querySelector(".list-status").textContent === "The trash is empty."`)
	ann.click(`.tabs a[href="#/all"]`)
	ann.wait("both back (the status filter still on)", rows+`.length === 2`)
}

func TestInboxUI_home_team_settings_notifications_and_contacts_pages(t *testing.T) {
	h := startUIHub(t)
	seedShowcase(t, h)
	ann := h.tab(t)
	ann.login("ann@example.com", "/home")

	// Home: the counts and who is online.
	ann.wait("the counts", `document.querySelector("#count-unassigned .card-value").textContent === "2" && document.querySelector("#count-live .card-value").textContent === "1" && document.querySelector("#count-waiting .card-value").textContent === "2"`)
	ann.wait("Ann online", `document.querySelector(".online-list").textContent.includes("Ann Lee") && document.querySelector(".online-list").textContent.includes("1 / 3 chat slots")`)

	// The online/away switch, with the chat slots beside it.
	if s := ann.text("#slots-value"); s != "1 / 3" {
		t.Errorf("chat slots = %q, want 1 / 3", s)
	}
	ann.click("#presence")
	ann.wait("the switch saying Away", `document.querySelector("#presence").getAttribute("aria-checked") === "false"`)
	var me struct{ Presence string }
	h.api(t, "ann@example.com").do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	if me.Presence != "away" {
		t.Errorf("presence after the switch = %q, want away", me.Presence)
	}

	// Operators: presence and chat slots of each.
	ann.click(`.nav-item[data-nav="operators"]`)
	ann.wait("the team", `document.querySelectorAll("tr[data-operator]").length === 2 && document.querySelector("table").textContent.includes("Ben Okafor")`)

	// Settings: channels with capabilities and health; a macro added.
	ann.click(`.nav-item[data-nav="settings"]`)
	ann.wait("the photos channel's capabilities", `(c => c && c.textContent.includes("image/png, image/jpeg") && c.textContent.includes("Healthy"))(document.querySelector("[data-channel=photos]"))`)
	ann.click(`.tabs a[href="#/settings/macros"]`)
	ann.typeIn(`.macro-form input[name=name]`, "bye")
	ann.typeIn(`.macro-form textarea[name=text]`, "Have a nice day!")
	ann.click(`.macro-form button[type=submit]`)
	ann.wait("the new macro listed", `document.querySelector("table").textContent.includes("!bye") && document.querySelector("table").textContent.includes("Have a nice day!")`)

	// Notifications: the hub's list for Ann.
	ann.click(`.nav-item[data-nav="notifications"]`)
	ann.wait("the assignment notification", `document.querySelector("#notifications").textContent.includes("assigned to you")`)

	// Contacts: import a CSV file, then filter and open a profile.
	csv := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(csv, []byte("name,email,phone,company\nGrace Hopper,grace@example.com,+1 555 0100,Navy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ann.click(`.nav-item[data-nav="contacts"]`)
	ann.wait("the contacts", `document.querySelectorAll("tr[data-contact]").length === 6`)
	ann.do(chromedp.SetUploadFiles(chromedp.CSS(`.contacts-page input[type=file]`), []string{csv}))
	ann.wait("the imported contact listed", `document.querySelectorAll("tr[data-contact]").length === 7 && document.querySelector("table.contacts").textContent.includes("Grace Hopper")`)
	ann.typeIn(`[data-search]`, "grace")
	ann.wait("the search narrowed to Grace", `document.querySelectorAll("tr[data-contact]").length === 1`)
	ann.click(`tr[data-contact] a`)
	ann.wait("Grace's profile with her custom field", `document.querySelector("#contact-name").textContent === "Grace Hopper" && document.querySelector(".profile-grid").textContent.includes("Navy")`)
	ann.clear(`.contact-form input[name=name]`)
	ann.typeIn(`.contact-form input[name=name]`, "Grace B. Hopper")
	ann.click(`.contact-form button[type=submit]`)
	ann.wait("the new name saved", `document.querySelector("#contact-name").textContent === "Grace B. Hopper"`)
}
