// The filters and bulk actions of All conversations, Filtered and Trash.

import { api, query } from "./api.js";
import { download, h, select, toast } from "./dom.js";
import { confirmDialog, promptDialog } from "./dialog.js";
import { groups, isAdmin, state } from "./state.js";
import { transcriptText } from "./transcript.js";

// filterBar edits filters in place and calls changed after each edit. It
// gives filters a params() method: the API query parameters they stand for.
export function filterBar(view, filters, changed) {
  filters.params = () => {
    const p = {
      status: filters.status, channel: filters.channel, operator: filters.operator,
      topic: filters.topic, group: filters.group, locale: filters.locale,
    };
    if (filters.from) p.from = new Date(filters.from + "T00:00:00").toISOString();
    if (filters.to) {
      const end = new Date(filters.to + "T00:00:00");
      end.setDate(end.getDate() + 1); // the whole "to" day; the API's to is exclusive
      p.to = end.toISOString();
    }
    return p;
  };
  const set = (name) => (e) => {
    filters[name] = e.target.value.trim();
    changed();
  };
  const text = (name, label, placeholder) => h("label", { class: "filter" }, h("span", {}, label),
    h("input", { type: "text", value: filters[name] || "", placeholder, "data-filter": name, on: { change: set(name) } }));
  const choice = (name, label, options) => h("label", { class: "filter" }, h("span", {}, label),
    select([["", "Any"], ...options], filters[name] || "", { "data-filter": name, on: { change: set(name) } }));
  const date = (name, label) => h("label", { class: "filter" }, h("span", {}, label),
    h("input", { type: "date", value: filters[name] || "", "data-filter": name, on: { change: set(name) } }));
  const exportLink = h("a", {
    class: "button", href: "#", download: true, title: "Download the conversations these filters select as CSV",
    on: { click: (e) => { e.currentTarget.href = "/api/v1/conversations/export.csv" + query({ view, q: filters.q, ...filters.params() }); } },
  }, "Export CSV");
  return h("details", { class: "filters", open: hasFilters(filters) },
    h("summary", {}, "Filters"),
    h("div", { class: "filter-grid" },
      date("from", "From"), date("to", "To"),
      choice("status", "Status", [["new", "New"], ["open", "Open"], ["waiting", "Waiting"], ["resolved", "Resolved"], ["new,open,waiting", "Active"]]),
      choice("operator", "Operator", [["me", "Me"], ...state.operators.map((o) => [o.id, o.name || o.email])]),
      choice("channel", "Channel", state.channels.map((c) => [c.name, c.name])),
      choice("group", "Group", groups().map((g) => [g, g])),
      text("topic", "Topic", "Exact topic"),
      text("locale", "Locale", "en, de-CH…"),
      h("div", { class: "filter filter-actions" },
        h("button", { type: "button", class: "link", on: { click: () => { for (const k of ["from", "to", "status", "operator", "channel", "group", "topic", "locale"]) filters[k] = ""; changed(); for (const el of document.querySelectorAll("[data-filter]")) el.value = ""; } } }, "Clear"),
        exportLink)));
}

function hasFilters(f) {
  return ["from", "to", "status", "operator", "channel", "group", "topic", "locale"].some((k) => f[k]);
}

// bulkBar acts on the selected conversations. after runs once an action
// finished (the list refetches).
export function bulkBar(view, selected, items, filters, after) {
  const all = h("input", {
    type: "checkbox", "aria-label": "Select every conversation shown",
    on: { change: (e) => { for (const c of items()) { if (e.target.checked) selected.add(c.id); else selected.delete(c.id); } for (const box of document.querySelectorAll(".row-check")) box.checked = e.target.checked; update(); } },
  });
  const count = h("span", { class: "bulk-count" });
  const ids = () => Array.from(selected);

  // take hands over the selection to an action and clears it at once, so
  // ticks made while the action runs are not lost when it ends.
  function take() {
    const list = ids();
    selected.clear();
    for (const box of document.querySelectorAll(".row-check")) box.checked = false;
    update();
    return list;
  }

  async function run(action, extra, verb) {
    let res;
    try {
      res = await api("POST", "/conversations/bulk", { ids: take(), action, ...extra });
    } catch (err) {
      toast(err.message, "error");
      return;
    }
    const failed = res.results.filter((r) => !r.ok);
    if (failed.length) toast(`${verb}: ${res.results.length - failed.length} done, ${failed.length} refused: ${failed[0].error.message}`, "error");
    else toast(`${verb}: ${res.results.length} conversation${res.results.length === 1 ? "" : "s"}`);
    after();
  }

  const statusSel = select([["", "Set status…"], ["open", "Open"], ["waiting", "Waiting"], ["resolved", "Resolved"], ["new", "New"]], "", {
    "aria-label": "Set the status of the selected conversations",
    on: { change: (e) => { const s = e.target.value; e.target.value = ""; if (s) run("status", { status: s }, `Status ${s}`); } },
  });
  const assignSel = select([["", "Assign…"], ["me", "To me"], ...state.operators.map((o) => [o.id, o.name || o.email]),
    ...groups().map((g) => ["group:" + g, `Group ${g}`]), ["none", "Unassign"]], "", {
    "aria-label": "Assign the selected conversations",
    on: {
      change: (e) => {
        const v = e.target.value;
        e.target.value = "";
        if (!v) return;
        if (v === "none") run("assign", { operator: null }, "Unassigned");
        else if (v.startsWith("group:")) run("assign", { group: v.slice(6) }, "Assigned");
        else run("assign", { operator: v }, "Assigned");
      },
    },
  });
  const topicBtn = h("button", { type: "button", on: { click: async () => { const t = await promptDialog({ title: "Set topic", label: "Topic" }); if (t !== null) run("topic", { topic: t }, "Topic set"); } } }, "Topic…");
  const transcriptBtn = h("button", { type: "button", title: "Download the transcripts of the selected conversations", on: { click: transcripts } }, "Transcripts");
  const exportBtn = h("a", {
    class: "button", href: "#", download: true,
    on: { click: (e) => { e.currentTarget.href = "/api/v1/conversations/export.csv" + query({ view, q: filters.q, ...(filters.params ? filters.params() : {}), ids: ids().join(",") }); } },
  }, "Export CSV");
  const actions = view === "trash"
    ? [h("button", { type: "button", on: { click: () => run("restore", {}, "Restored") } }, "Restore"),
      isAdmin() ? h("button", { type: "button", class: "danger", on: { click: deleteForever } }, "Delete forever") : null]
    : [statusSel, assignSel, topicBtn, transcriptBtn, exportBtn,
      h("button", { type: "button", class: "danger", on: { click: trash } }, "Move to Trash")];
  const bar = h("div", { class: "bulk" }, h("label", { class: "bulk-all" }, all, count), h("div", { class: "bulk-actions" }, actions));

  async function trash() {
    if (await confirmDialog({ title: "Move to Trash", message: `Move ${selected.size} conversation(s) to the Trash? They can be restored from there.`, confirm: "Move to Trash", danger: true })) run("trash", {}, "Moved to Trash");
  }

  async function deleteForever() {
    const n = selected.size;
    if (!await confirmDialog({ title: "Delete forever", message: `Delete ${n} conversation(s), their messages and files for good? This cannot be undone.`, confirm: "Delete forever", danger: true })) return;
    let failed = 0;
    let reason = "";
    for (const id of take()) {
      try {
        await api("DELETE", "/conversations/" + encodeURIComponent(id));
      } catch (err) {
        failed++;
        reason = err.message;
      }
    }
    toast(failed ? `${n - failed} deleted, ${failed} refused: ${reason}` : `${n} deleted for good`, failed ? "error" : "info");
    after();
  }

  async function transcripts() {
    const parts = [];
    for (const id of ids()) {
      try {
        const [detail, msgs] = await Promise.all([api("GET", "/conversations/" + id), api("GET", `/conversations/${id}/messages`)]);
        parts.push(transcriptText(detail, msgs.messages));
      } catch (err) {
        toast(err.message, "error");
        return;
      }
    }
    download(`transcripts-${new Date().toISOString().slice(0, 10)}.txt`, parts.join("\n\n" + "=".repeat(60) + "\n\n"));
  }

  function update() {
    const n = selected.size;
    bar.classList.toggle("active", n > 0);
    count.textContent = n ? `${n} selected` : "Select";
    all.checked = n > 0 && n === items().length;
    all.indeterminate = n > 0 && n < items().length;
    for (const el of bar.querySelectorAll(".bulk-actions button, .bulk-actions select")) el.disabled = n === 0;
    exportBtn.classList.toggle("disabled", n === 0);
    exportBtn.setAttribute("aria-disabled", String(n === 0));
  }
  update();
  return { el: bar, update };
}
