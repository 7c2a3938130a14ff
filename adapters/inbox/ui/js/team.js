// Operators: who is online or away, and how many chat slots each uses.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { on, state } from "./state.js";

export function presenceDot(o) {
  const online = o.presence === "online";
  return h("span", { class: ["dot", online ? "on" : "off"], title: online ? "Online" : "Away", "aria-label": online ? "online" : "away", role: "img" });
}

export function mount(main) {
  const table = h("div", { class: "table-wrap" });
  main.appendChild(h("div", { class: "page" }, h("h1", {}, "Operators"), table));

  function paint() {
    const ops = state.operators.slice().sort((a, b) => (a.presence === b.presence ? (a.name || "").localeCompare(b.name || "") : a.presence === "online" ? -1 : 1));
    replace(table, h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Operator", "Presence", "Chat slots", "Role", "Groups"].map((t) => h("th", {}, t)))),
      h("tbody", {}, ops.map((o) => h("tr", { data: { operator: o.id } },
        h("td", {}, h("strong", {}, o.name || o.email), h("div", { class: "hint" }, o.email)),
        h("td", {}, presenceDot(o), " ", o.presence === "online" ? "Online" : "Away"),
        h("td", {}, h("meter", { min: "0", max: String(o.slots || 1), value: String(o.slots_used) }), ` ${o.slots_used} / ${o.slots}`),
        h("td", {}, o.role),
        h("td", {}, (o.groups || []).join(", ") || "—"))))));
  }

  async function load() {
    try {
      state.operators = (await api("GET", "/operators")).operators;
    } catch {
      return;
    }
    paint();
  }

  paint();
  load();
  const offs = [on("team-changed", paint), on("resync", load), on("feed", ({ type }) => { if (type === "conversation.updated" || type === "conversation.assigned") loadLater(); })];
  let timer = 0;
  function loadLater() {
    clearTimeout(timer);
    timer = setTimeout(load, 500);
  }
  return { dispose: () => offs.forEach((off) => off()) };
}
