// The conversation view: action bar, transcript, composer and side panel,
// kept current by the live feed.

import { api } from "./api.js";
import { channelIcon, download, h, liveBadge, replace, select, statusBadge, toast } from "./dom.js";
import { channel, emit, groups, isAdmin, on, operatorName, seen, state } from "./state.js";
import { createTranscript, transcriptText } from "./transcript.js";
import { createComposer } from "./composer.js";
import { createSidePanel } from "./sidepanel.js";
import { promptDialog } from "./dialog.js";
import { icon } from "./icons.js";

// openConversation shows conversation id in container. opts.back is the
// list's route (for the back link on narrow screens); opts.onGone runs when
// the conversation disappears (its contact was erased).
export function openConversation(container, id, opts) {
  let detail = null;
  let loading = true;
  const early = []; // feed events that arrive while loading
  let transcript = null;
  let composer = null;
  let side = null;
  const head = h("header", { class: "conv-head" });
  const body = h("div", { class: "conv-body" });
  const root = h("article", { class: "conv", data: { conversation: id }, "aria-busy": "true" }, head, body);
  replace(container, root);
  head.appendChild(h("p", { class: "loading" }, "Loading…"));

  const offs = [
    on("feed", (ev) => (loading ? early.push(ev) : apply(ev))),
    on("resync", () => load()),
    on("team-changed", () => detail && paintHead()),
  ];

  async function load() {
    loading = true;
    let conv;
    let msgs;
    try {
      [conv, msgs] = await Promise.all([api("GET", "/conversations/" + encodeURIComponent(id)), api("GET", `/conversations/${encodeURIComponent(id)}/messages`)]);
    } catch (err) {
      replace(head, h("p", { class: "form-error" }, err.message));
      return;
    }
    detail = conv;
    if (!transcript) build();
    transcript.set(msgs.messages);
    loading = false;
    root.removeAttribute("aria-busy");
    early.splice(0).forEach(apply);
    paintAll();
    markSeen();
  }

  function build() {
    const ctx = {
      conv: () => detail,
      canWrite: () => detail.assignee === state.me.id,
      assignToMe,
      onConversation: merge,
      onMessage: (m) => transcript.upsert(m, false),
    };
    transcript = createTranscript(ctx);
    composer = createComposer(ctx);
    side = createSidePanel(ctx);
    replace(body, h("div", { class: "conv-main" }, transcript.el, composer.el), side.el);
    transcript.el.addEventListener("dragover", (e) => composer.dragOver(e));
    transcript.el.addEventListener("drop", (e) => composer.drop(e));
  }

  function paintAll() {
    detail.counts = countMessages(transcript.messages());
    paintHead();
    composer.update();
    side.update(detail, transcript.notes());
  }

  function paintHead() {
    const c = detail;
    const ch = channel(c.channel);
    const me = state.me;
    const manage = isAdmin() || !c.assignee || c.assignee === me.id;
    const why = manage ? null : `Only ${operatorName(c.assignee)} (the assignee) or an admin can change this conversation.`;
    const name = c.contact.name || c.contact.email || c.contact.phone || "Unknown contact";
    const assignOptions = [["", c.assignee ? `Assigned: ${operatorName(c.assignee)}` : c.group ? `Group ${c.group}` : "Unassigned"],
      ["me", "Assign to me"],
      ...state.operators.filter((o) => o.id !== me.id).map((o) => [o.id, `${o.name || o.email}${o.presence === "online" ? " · online" : ""}`]),
      ...groups().map((g) => ["group:" + g, `Group ${g}`]),
      ...(c.assignee ? [["none", "Unassign"]] : [])];
    const statusOptions = [["open", "Open"], ["waiting", "Waiting"], ["resolved", "Resolved"], ...(!c.assignee ? [["new", "New"]] : [])];
    const canResolve = isAdmin() || c.assignee === me.id;
    replace(head,
      h("a", { class: "back", href: opts.back, title: "Back to the list (Esc)", "aria-label": "Back to the list" }, icon("back")),
      h("div", { class: "conv-title" },
        h("h2", { id: "conv-name" }, name),
        h("div", { class: "conv-sub" },
          channelIcon(ch ? ch.type : "", c.channel), h("span", {}, c.channel),
          (c.labels || []).includes("LIVE") ? liveBadge() : null,
          h("span", { id: "conv-status" }, statusBadge(c.status)),
          c.filter_reason ? h("span", { class: "badge muted" }, `Filtered: ${c.filter_reason}`) : null,
          c.trashed_at ? h("span", { class: "badge muted" }, "In Trash") : null)),
      h("div", { class: "actions", role: "toolbar", "aria-label": "Conversation actions" },
        h("button", { type: "button", class: "topic-btn", id: "topic", title: why || "Set the topic", disabled: !manage, on: { click: editTopic } },
          c.topic ? `Topic: ${c.topic}` : "Add topic"),
        select(assignOptions, "", { id: "assign", "aria-label": "Assign", title: why || "Assign to an operator or a group", disabled: !manage, on: { change: assign } }),
        select(statusOptions, c.status === "new" && c.assignee ? "open" : c.status, { id: "status", "aria-label": "Status", title: why || "Change the status", disabled: !manage, on: { change: (e) => setStatus(e.target.value) } }),
        h("button", { type: "button", id: "resolve", class: "primary", disabled: !canResolve || c.status === "resolved",
          title: canResolve ? "Resolve the conversation" : "Only the assignee or an admin can resolve", on: { click: () => setStatus("resolved") } }, "Resolve"),
        select([["", "Transcript…"], ["send", "Send to the contact"], ["download", "Download"]], "", { id: "transcript", "aria-label": "Transcript", on: { change: transcriptAction } }),
        c.trashed_at
          ? h("button", { type: "button", on: { click: () => change("restore", {}) } }, "Restore")
          : h("button", { type: "button", class: "ghost", title: "Move to Trash", disabled: !manage, on: { click: () => change("trash", {}) } }, "Trash"),
        h("button", { type: "button", class: "ghost details-toggle", "aria-label": "Details", on: { click: () => root.classList.toggle("show-side") } }, "Details")));
  }

  async function change(action, bodyJSON) {
    try {
      merge(await api("POST", `/conversations/${encodeURIComponent(id)}/${action}`, bodyJSON));
    } catch (err) {
      toast(err.message, "error");
      paintHead();
    }
  }

  const assignToMe = () => change("assign", { operator: "me" });
  const setStatus = (s) => change("status", { status: s });

  function assign(e) {
    const v = e.target.value;
    if (!v) return;
    if (v === "none") change("assign", { operator: null });
    else if (v.startsWith("group:")) change("assign", { group: v.slice(6) });
    else change("assign", { operator: v });
  }

  async function editTopic() {
    const t = await promptDialog({ title: "Topic", label: "Topic of this conversation", value: detail.topic || "" });
    if (t !== null) change("topic", { topic: t });
  }

  async function transcriptAction(e) {
    const v = e.target.value;
    e.target.value = "";
    if (v === "download") {
      download(`transcript-${id}.txt`, transcriptText(detail, transcript.messages()));
    } else if (v === "send") {
      try {
        const res = await api("POST", `/conversations/${encodeURIComponent(id)}/messages`, { text: "$send" });
        toast(`Done: ${res.command}`);
      } catch (err) {
        toast(err.message, "error");
      }
    }
  }

  // merge applies a newer state of the conversation (from the API or the
  // feed, which leaves out the contact).
  function merge(conv) {
    if (!conv || conv.id !== id || !detail) return;
    const { contact, ...rest } = conv;
    Object.assign(detail, rest);
    if (contact && contact.identities) detail.contact = contact;
    paintAll();
    emit("conversation-changed", detail);
  }

  function apply({ type, data }) {
    if (!detail) return;
    const m = data.message;
    if (m && m.conversation_id === id) {
      transcript.upsert(m, true);
      if (data.conversation) merge(data.conversation);
      else {
        detail.counts = countMessages(transcript.messages());
        side.update(detail, transcript.notes());
      }
      if (type === "message.created") markSeen();
      return;
    }
    if (type.startsWith("conversation.") && data.conversation && data.conversation.id === id) {
      merge(data.conversation);
      return;
    }
    if (type === "contact.updated" && data.contact && data.contact.id === detail.contact.id) {
      detail.contact = data.contact;
      paintAll();
      return;
    }
    if (type === "contact.erased" && data.contact_id === detail.contact.id) {
      toast("The contact was erased; their conversations are gone.");
      opts.onGone();
    }
  }

  function markSeen() {
    seen.mark(detail);
    emit("seen");
  }

  load();
  return {
    dispose() {
      offs.forEach((off) => off());
      if (composer) composer.dispose();
    },
  };
}

// countMessages counts the transcript as the conversation's details show it.
function countMessages(msgs) {
  const c = { messages: 0, notes: 0, attachments: 0, failed: 0 };
  for (const m of msgs) {
    if (m.note) c.notes++;
    else if (m.kind === "message" || m.kind === "postback") c.messages++;
    if (m.status === "failed") c.failed++;
    c.attachments += (m.attachments || []).length;
  }
  return c;
}
