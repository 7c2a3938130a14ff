// A conversation list page (Mine, Unassigned, All, Filtered, Trash) with
// the open conversation beside it. The list follows the live feed: any
// change to conversations refetches it (once per burst), in the hub's
// order: LIVE first, then NEW, OPEN, WAITING, newest activity first.

import { api, query } from "./api.js";
import { debounce, h, replace } from "./dom.js";
import { on } from "./state.js";
import { conversationRow } from "./rows.js";
import { openConversation } from "./conversation.js";
import { bulkBar, filterBar } from "./filters.js";

const titles = { mine: "Mine", unassigned: "Unassigned", all: "All conversations", filtered: "Filtered", trash: "Trash" };
const pageSize = 50;
const maxRows = 500;
const remembered = {}; // filters per view, kept while the page is open

let firstRender = true;

export function mountList(main, view, routeKey) {
  const full = view === "all" || view === "filtered" || view === "trash";
  const filters = remembered[view] || (remembered[view] = { q: "" });
  const selected = new Set();
  let items = [];
  let limit = pageSize;
  let openID = null;
  let conv = null; // the open conversation's controller
  let seq = 0;

  const rows = h("div", { class: "rows", role: "list", "aria-label": titles[view] });
  const more = h("button", { type: "button", class: "load-more", hidden: true, on: { click: () => { limit = Math.min(limit + pageSize * 2, maxRows); refresh(); } } }, "Show more");
  const status = h("div", { class: "list-status", role: "status" });
  const search = h("input", {
    type: "search", class: "search", placeholder: "Search text, name, email or phone", value: filters.q,
    "aria-label": "Search conversations", "data-search": true,
    on: { input: debounce(() => { filters.q = search.value.trim(); refresh(); }, 250) },
  });
  const tabs = full
    ? [["all", "All"], ["filtered", "Filtered"], ["trash", "Trash"]].map(([v, l]) => h("a", { href: `#/${v}`, class: ["tab", v === view && "active"] }, l))
    : [["mine", "Mine"], ["unassigned", "Unassigned"]].map(([v, l]) => h("a", { href: `#/inbox/${v}`, class: ["tab", v === view && "active"] }, l));
  const bulk = full ? bulkBar(view, selected, () => items, filters, afterBulk) : null;
  const pane = h("section", { class: "list-pane", "aria-label": titles[view] },
    h("header", { class: "list-head" },
      h("h1", {}, titles[view]),
      h("nav", { class: "tabs" }, tabs)),
    h("div", { class: "list-tools" }, search,
      full ? filterBar(view, filters, () => refresh()) : null),
    bulk ? bulk.el : null,
    status, rows, more);
  const convPane = h("section", { class: "conv-pane", "aria-label": "Conversation" });
  const root = h("div", { class: ["inbox", full && "full"], data: { view } }, pane, convPane);
  main.appendChild(root);

  function base(id) {
    return `#/${routeKey}${id ? "/" + encodeURIComponent(id) : ""}`;
  }

  async function refresh() {
    const mine = ++seq;
    const params = { view, limit, q: filters.q };
    if (full) Object.assign(params, filters.params ? filters.params() : {});
    let res;
    try {
      res = await api("GET", "/conversations" + query(params));
    } catch (err) {
      if (mine === seq) status.textContent = err.message;
      return;
    }
    if (mine !== seq) return; // a newer refresh is under way
    items = res.conversations;
    for (const id of Array.from(selected)) if (!items.some((c) => c.id === id)) selected.delete(id);
    paint();
  }

  function paint() {
    status.textContent = items.length ? "" : filters.q ? "Nothing matches the search." : emptyText(view);
    replace(rows, items.map((c) => conversationRow(c, {
      href: base(c.id), active: c.id === openID, selectable: full, selected,
      onSelect: (id, on) => { if (on) selected.add(id); else selected.delete(id); if (bulk) bulk.update(); },
    })));
    more.hidden = items.length < limit || limit >= maxRows;
    if (bulk) bulk.update();
    root.dataset.rows = String(items.length);
    if (firstRender) {
      firstRender = false;
      performance.mark("switchboard:list-rendered");
    }
  }

  function afterBulk() {
    refresh();
  }

  function show(id) {
    openID = id || null;
    root.classList.toggle("has-conv", !!openID);
    root.classList.toggle("wide", full && !openID);
    for (const r of rows.querySelectorAll(".row")) {
      const active = r.dataset.id === openID;
      r.classList.toggle("active", active);
      r.querySelector(".row-main").toggleAttribute("aria-current", active);
    }
    if (conv) conv.dispose();
    conv = null;
    if (!openID) {
      replace(convPane, h("div", { class: "empty-conv" }, h("p", {}, "Select a conversation."),
        h("p", { class: "hint" }, "j / k move through the list, r replies, Esc goes back.")));
      return;
    }
    conv = openConversation(convPane, openID, { back: base(null), onGone: () => { location.hash = base(null); } });
    const row = rows.querySelector(`.row[data-id="${CSS.escape(openID)}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  function move(delta) {
    if (!items.length) return;
    let i = items.findIndex((c) => c.id === openID);
    i = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, i + delta));
    location.hash = base(items[i].id);
  }

  function close() {
    if (openID) location.hash = base(null);
  }

  const later = debounce(refresh, 250);
  const offs = [
    on("feed", ({ type }) => {
      if (type.startsWith("conversation.") || type === "message.created" || type.startsWith("contact.")) later();
    }),
    on("resync", refresh),
    on("seen", () => paint()),
    on("team-changed", () => paint()),
  ];
  refresh();

  return {
    show, move, close,
    dispose() {
      offs.forEach((off) => off());
      if (conv) conv.dispose();
    },
  };
}

function emptyText(view) {
  return {
    mine: "Nothing assigned to you needs an answer.",
    unassigned: "No unassigned conversations.",
    all: "No conversations match these filters.",
    filtered: "No filtered conversations.",
    trash: "The trash is empty.",
  }[view];
}
