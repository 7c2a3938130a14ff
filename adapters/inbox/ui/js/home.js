// Home: how much is waiting (unassigned, mine, live, waiting) and who is
// online, kept current by the feed.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { on, state } from "./state.js";
import { currentCounts } from "./shell.js";
import { presenceDot } from "./team.js";

export function mount(main) {
  const cards = h("div", { class: "cards" });
  const online = h("div", { class: "online-list" });
  main.appendChild(h("div", { class: "page" },
    h("h1", {}, `Hello, ${state.me.name || state.me.email}`),
    cards,
    h("h2", {}, "Who is online"), online));

  function paintCounts(c) {
    if (!c) return;
    const n = (v) => (c.limit && v >= c.limit ? `${v}+` : String(v));
    replace(cards,
      card("Unassigned", n(c.unassigned), "#/inbox/unassigned", "count-unassigned", "Waiting for someone to take them"),
      card("Mine", n(c.mine), "#/inbox/mine", "count-mine", "Assigned to you and not resolved"),
      card("Live", n(c.live), "#/all", "count-live", "Contact and operator both online"),
      card("Waiting", n(c.waiting), "#/all", "count-waiting", "Answered, waiting for the contact"));
  }

  function paintTeam() {
    const ops = state.operators.filter((o) => o.presence === "online");
    replace(online, ops.length
      ? h("ul", { class: "plain team" }, ops.map((o) => h("li", {}, presenceDot(o), ` ${o.name || o.email} `, h("span", { class: "hint" }, `${o.slots_used} / ${o.slots} chat slots`))))
      : h("p", { class: "hint" }, "Nobody is online. New conversations wait in Unassigned."));
  }

  async function loadTeam() {
    try {
      state.operators = (await api("GET", "/operators")).operators;
    } catch {
      return;
    }
    paintTeam();
  }

  paintCounts(currentCounts());
  paintTeam();
  loadTeam();
  const offs = [on("counts", paintCounts), on("team-changed", paintTeam), on("resync", loadTeam)];
  return { dispose: () => offs.forEach((off) => off()) };
}

function card(label, value, href, id, hint) {
  return h("a", { class: "card", href, id }, h("span", { class: "card-value" }, value), h("span", { class: "card-label" }, label), h("span", { class: "hint" }, hint));
}
