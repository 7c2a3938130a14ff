// The frame around every page: the left navigation with live counts, and
// at its foot the online/away switch and the chat slots in use.

import { api } from "./api.js";
import { $, $$, debounce, h, replace, toast } from "./dom.js";
import { emit, on, state } from "./state.js";
import { icon } from "./icons.js";

let counts = null;

const nav = [
  ["home", "#/home", "home", "Home"],
  ["inbox/mine", "#/inbox/mine", "mine", "Mine", "mine"],
  ["inbox/unassigned", "#/inbox/unassigned", "unassigned", "Unassigned", "unassigned"],
  ["all", "#/all", "all", "All conversations"],
  ["contacts", "#/contacts", "contacts", "Contacts"],
  ["operators", "#/operators", "operators", "Operators"],
  ["notifications", "#/notifications", "bell", "Notifications", "notifications"],
  ["settings", "#/settings", "settings", "Settings"],
  ["help", "#/help", "help", "Help"],
];

export function renderShell(root) {
  const items = nav.map(([key, href, glyph, label, badge]) =>
    h("a", { href, class: "nav-item", data: { nav: key }, title: label },
      h("span", { class: "nav-icon" }, icon(glyph)),
      h("span", { class: "nav-label" }, label),
      badge ? h("span", { class: "nav-count", data: { count: badge }, hidden: true }) : null));
  const inboxHeading = h("div", { class: "nav-heading" }, "Inbox");
  items.splice(1, 0, inboxHeading);
  const sidebar = h("nav", { class: "sidebar", "aria-label": "Main" },
    h("a", { class: "brand", href: "#/home" }, h("span", { class: "logo-mark" }, "SB"), h("span", { class: "nav-label" }, "Switchboard")),
    h("div", { class: "nav-items" }, items),
    h("div", { class: "nav-foot" },
      h("button", { type: "button", class: "presence", id: "presence", role: "switch", on: { click: togglePresence } }),
      h("div", { class: "slots", id: "slots", title: "Chat slots in use: live conversations you hold / your maximum" }),
      h("div", { class: "me-line" },
        h("span", { class: "feed-dot", title: "Live updates" }),
        h("span", { class: "me-name", id: "me-name" }),
        h("button", { type: "button", class: "link", on: { click: logout } }, "Sign out"))));
  replace(root, h("div", { class: "shell" }, sidebar, h("main", { id: "main", class: "main" })));
  paintMe();
  loadCounts();
}

export function setActiveNav(key) {
  for (const a of $$(".nav-item")) a.classList.toggle("active", a.dataset.nav === key);
}

function paintMe() {
  const me = state.me;
  const btn = $("#presence");
  if (!btn || !me) return;
  const online = me.presence === "online";
  btn.setAttribute("aria-checked", String(online));
  btn.classList.toggle("online", online);
  replace(btn, h("span", { class: "knob" }), h("span", { class: "nav-label" }, online ? "Online" : "Away"));
  btn.title = online ? "You are online: new conversations are routed to you. Click to go away." : "You are away: no conversations are routed to you. Click to go online.";
  replace($("#slots"), h("span", { class: "nav-label" }, "Chat slots "), h("strong", { id: "slots-value" }, `${me.slots_used} / ${me.slots}`));
  $("#me-name").textContent = me.name || me.email;
}

export async function refreshMe() {
  try {
    state.me = await api("GET", "/me");
    paintMe();
  } catch { /* an expired session is handled by api */ }
}

async function togglePresence() {
  const next = state.me.presence === "online" ? "away" : "online";
  try {
    state.me = await api("PUT", "/me/presence", { status: next });
    paintMe();
  } catch (err) {
    toast(err.message, "error");
  }
}

async function logout() {
  try {
    await api("DELETE", "/session");
  } catch { /* signed out either way */ }
  location.hash = "";
  location.reload();
}

async function loadCounts() {
  try {
    counts = await api("GET", "/counts");
  } catch {
    return;
  }
  paintCounts();
  emit("counts", counts);
}

function paintCounts() {
  for (const el of $$(".nav-count[data-count]")) {
    const n = el.dataset.count === "notifications" ? unreadNotifications : counts && counts[el.dataset.count];
    el.hidden = !n;
    el.textContent = counts && counts.limit && n >= counts.limit ? `${n}+` : String(n || "");
  }
}

export function currentCounts() {
  return counts;
}

let unreadNotifications = 0;
export function setUnreadNotifications(n) {
  unreadNotifications = n;
  paintCounts();
}

const countsLater = debounce(loadCounts, 400);
const meLater = debounce(refreshMe, 400);

on("feed", ({ type, data }) => {
  if (type === "operator.presence") {
    const op = state.operators.find((o) => o.id === data.operator_id);
    if (op) op.presence = data.presence;
    if (state.me && data.operator_id === state.me.id) {
      state.me.presence = data.presence;
      paintMe();
    }
    emit("team-changed");
    return;
  }
  if (type.startsWith("conversation.") || type === "message.created" || type === "contact.erased") {
    countsLater();
    const conv = data.conversation;
    if (conv && state.me && (conv.assignee === state.me.id || type === "conversation.assigned")) meLater();
  }
});
on("resync", () => {
  loadCounts();
  refreshMe();
});
