// Contacts: the list with search and filters, CSV import, and each
// contact's profile with their conversations, editing, blocking and the
// GDPR erasure behind a typed confirmation.

import { api, query } from "./api.js";
import { channelIcon, debounce, field, fullTime, h, relTime, replace, select, statusBadge, toast } from "./dom.js";
import { channel, isAdmin, on } from "./state.js";
import { confirmDialog } from "./dialog.js";
import { kv } from "./sidepanel.js";

const filters = { q: "", verified: "", from: "", to: "" };

export function mount(main, arg) {
  const page = h("div", { class: "page contacts-page" });
  main.appendChild(page);
  let current = null;
  let offs = [];

  function show(id) {
    offs.forEach((off) => off());
    offs = [];
    current = id || null;
    if (current) profile(page, current, (fn) => offs.push(fn), () => show(current));
    else list(page, (fn) => offs.push(fn));
  }
  show(arg);
  return { show, dispose: () => offs.forEach((off) => off()) };
}

function list(page, track) {
  const rows = h("tbody", {});
  const status = h("p", { class: "hint", role: "status" });
  const search = h("input", { type: "search", class: "search", placeholder: "Search name, email, phone, id", value: filters.q, "data-search": true, "aria-label": "Search contacts", on: { input: debounce(() => { filters.q = search.value.trim(); load(); }, 250) } });
  const set = (k) => (e) => { filters[k] = e.target.value; load(); };
  const fileInput = h("input", { type: "file", accept: ".csv,text/csv", hidden: true, on: { change: () => importCSV(fileInput.files[0]) } });
  replace(page,
    h("div", { class: "page-head" }, h("h1", {}, "Contacts"),
      h("button", { type: "button", on: { click: () => fileInput.click() }, title: "Columns: name, email, phone, locale; other columns become custom fields" }, "Import CSV"), fileInput),
    h("div", { class: "list-tools" }, search,
      h("div", { class: "filter-grid inline" },
        h("label", { class: "filter" }, h("span", {}, "Verified"), select([["", "Any"], ["true", "Verified"], ["false", "Not verified"]], filters.verified, { on: { change: set("verified") } })),
        h("label", { class: "filter" }, h("span", {}, "Last message from"), h("input", { type: "date", value: filters.from, on: { change: set("from") } })),
        h("label", { class: "filter" }, h("span", {}, "to"), h("input", { type: "date", value: filters.to, on: { change: set("to") } })))),
    status,
    h("div", { class: "table-wrap" }, h("table", { class: "table contacts" },
      h("thead", {}, h("tr", {}, ["Name", "Email", "Phone", "Channels", "Verified", "Updated"].map((t) => h("th", {}, t)))), rows)));

  async function load() {
    const p = { q: filters.q, limit: 200, verified: filters.verified };
    if (filters.from) p.from = new Date(filters.from + "T00:00:00").toISOString();
    if (filters.to) {
      const end = new Date(filters.to + "T00:00:00");
      end.setDate(end.getDate() + 1);
      p.to = end.toISOString();
    }
    let res;
    try {
      res = await api("GET", "/contacts" + query(p));
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    status.textContent = res.contacts.length ? "" : "No contacts match.";
    replace(rows, res.contacts.map((c) => h("tr", { data: { contact: c.id } },
      h("td", {}, h("a", { href: `#/contacts/${encodeURIComponent(c.id)}` }, c.name || c.id), c.blocked ? h("span", { class: "badge danger small" }, "blocked") : null),
      h("td", {}, c.email || ""), h("td", {}, c.phone || ""),
      h("td", {}, (c.identities || []).map((i) => channelIcon((channel(i.channel) || {}).type, i.channel))),
      h("td", {}, c.verified ? "yes" : "no"),
      h("td", { title: fullTime(c.updated_at) }, relTime(c.updated_at)))));
  }

  async function importCSV(file) {
    if (!file) return;
    let res;
    try {
      res = await fetch("/api/v1/contacts/import", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "text/csv", Accept: "application/json" }, body: file });
    } catch {
      toast("The hub cannot be reached.", "error");
      return;
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      toast(data && data.error ? data.error.message : `Import refused (${res.status})`, "error");
      return;
    }
    const skipped = data.skipped || [];
    toast(`Imported ${data.created} contact(s)${skipped.length ? `; skipped ${skipped.length}: line ${skipped[0].line}: ${skipped[0].reason}` : ""}`, skipped.length ? "error" : "info");
    load();
  }

  const later = debounce(load, 300);
  track(on("feed", ({ type }) => { if (type.startsWith("contact.")) later(); }));
  track(on("resync", load));
  load();
}

// profile shows contact id; reload shows it afresh (dropping the feed
// subscriptions made for this showing).
async function profile(page, id, track, reload) {
  replace(page, h("p", { class: "hint" }, "Loading…"));
  let c;
  try {
    c = await api("GET", `/contacts/${encodeURIComponent(id)}`);
  } catch (err) {
    replace(page, h("a", { href: "#/contacts" }, "← Contacts"), h("p", { class: "form-error" }, err.message));
    return;
  }
  const input = (name, type = "text") => h("input", { type, name, value: c[name] || "" });
  const form = h("form", { class: "contact-form wide-form", on: { submit: save } },
    field("Name", input("name")), field("Email", input("email", "email")), field("Phone", input("phone", "tel")), field("Locale", input("locale")),
    h("div", { class: "form-row" }, h("button", { type: "submit", class: "primary" }, "Save")));
  replace(page,
    h("a", { href: "#/contacts", class: "back-link" }, "← Contacts"),
    h("div", { class: "page-head" }, h("h1", { id: "contact-name" }, c.name || c.id),
      h("div", { class: "badges" }, c.verified ? h("span", { class: "badge ok" }, "Verified") : h("span", { class: "badge muted" }, "Not verified"),
        c.blocked ? h("span", { class: "badge danger" }, "Blocked") : null),
      h("div", { class: "page-actions" },
        h("button", { type: "button", on: { click: toggleBlock } }, c.blocked ? "Unblock" : "Block"),
        isAdmin() ? h("button", { type: "button", class: "danger", id: "erase", on: { click: erase } }, "Erase (GDPR)") : null)),
    h("div", { class: "profile-grid" },
      h("section", {}, h("h2", {}, "Details"), form,
        h("h2", {}, "Channel identities"),
        kv((c.identities || []).map((i) => [h("span", {}, channelIcon((channel(i.channel) || {}).type, i.channel), ` ${i.channel}`), h("span", {}, h("code", {}, i.external_id), i.verified ? " · verified" : "")])),
        Object.keys(c.fields || {}).length ? [h("h2", {}, "Custom fields"), kv(Object.entries(c.fields)), h("details", { class: "json" }, h("summary", {}, "Custom data (JSON)"), h("pre", {}, JSON.stringify(c.fields, null, 2)))] : null,
        h("p", { class: "hint" }, `Created ${fullTime(c.created_at)} · updated ${fullTime(c.updated_at)}`)),
      h("section", {}, h("h2", {}, `Conversations (${c.conversations.length})`),
        c.conversations.length ? h("ul", { class: "plain conv-links" }, c.conversations.map((x) => h("li", {},
          h("a", { href: `#/all/${encodeURIComponent(x.id)}` }, channelIcon((channel(x.channel) || {}).type, x.channel), " ", statusBadge(x.status), " ", x.topic || x.channel),
          h("span", { class: "hint" }, ` ${relTime(x.last_message_at || x.created_at)}`))))
          : h("p", { class: "hint" }, "No conversations."))));

  // Follow changes others make: an edit reloads the profile, an erasure
  // leaves it.
  track(on("feed", ({ type, data }) => {
    if (type === "contact.updated" && data.contact && data.contact.id === id && !page.contains(document.activeElement)) reload();
    if (type === "contact.erased" && data.contact_id === id) location.hash = "#/contacts";
  }));

  async function save(e) {
    e.preventDefault();
    const f = e.target.elements;
    try {
      await api("PATCH", `/contacts/${encodeURIComponent(id)}`, { name: f.name.value, email: f.email.value, phone: f.phone.value, locale: f.locale.value });
      toast("Contact saved");
      reload();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function toggleBlock() {
    try {
      await api("POST", `/contacts/${encodeURIComponent(id)}/${c.blocked ? "unblock" : "block"}`);
      reload();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function erase() {
    const word = c.name || c.id;
    const ok = await confirmDialog({
      title: "Erase this contact",
      message: `This removes ${word}, every conversation, message, attachment and search entry of theirs, for good. It cannot be undone.`,
      confirm: "Erase for good", danger: true, typed: word,
    });
    if (!ok) return;
    try {
      await api("DELETE", `/contacts/${encodeURIComponent(id)}`);
      toast(`${word} was erased`);
      location.hash = "#/contacts";
    } catch (err) {
      toast(err.message, "error");
    }
  }
}
