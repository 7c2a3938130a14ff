// The composer: message or note, "!" for the macro picker, "$" for the
// command picker, files by button, drag and paste, and the channel's
// capabilities checked before anything is sent. Only the assignee writes
// messages; everyone else is held to notes and told why. The draft is
// saved per conversation in localStorage on every keystroke.

import { api } from "./api.js";
import { bytes, h, replace, toast } from "./dom.js";
import { channel, drafts, on, operatorName, state } from "./state.js";
import { createPicker } from "./picker.js";
import { icon } from "./icons.js";

export function createComposer(ctx) {
  let note = false; // what the composer writes now
  let wantNote = false; // what the operator chose; non-assignees write notes regardless
  let staged = []; // File objects waiting to be sent
  let queue = Promise.resolve(); // requests go out one at a time, in order
  const convID = ctx.conv().id;

  const text = h("textarea", {
    id: "composer-text", rows: "3", "aria-label": "Message",
    placeholder: "Write a reply…  $ for commands, ! for macros; Enter sends, Shift+Enter adds a line",
    on: { input: changed, keydown: key, keyup: () => { swallowEnter = false; }, beforeinput: guardEnter, paste },
  });
  const picker = createPicker(text, { onChoose: () => changed() });
  const fileInput = h("input", { type: "file", multiple: true, hidden: true, on: { change: () => { stage(Array.from(fileInput.files)); fileInput.value = ""; } } });
  const banner = h("div", { class: "composer-banner", hidden: true, role: "note" });
  const msgBtn = h("button", { type: "button", role: "radio", class: "mode", "data-mode": "message", on: { click: () => setNote(false) } }, "Message");
  const noteBtn = h("button", { type: "button", role: "radio", class: "mode", "data-mode": "note", on: { click: () => setNote(true) } }, "Note");
  const chips = h("div", { class: "staged", "aria-label": "Files to send" });
  const error = h("div", { class: "composer-error", role: "alert", hidden: true });
  const hint = h("span", { class: "cap-hint" });
  const attach = h("button", { type: "button", class: "ghost attach", on: { click: () => fileInput.click() } }, icon("clip"), "Attach");
  const send = h("button", { type: "submit", class: "primary send" }, "Send");
  const el = h("form", { class: "composer", on: { submit: (e) => { e.preventDefault(); submit(); }, dragover: dragOver, dragleave: () => el.classList.remove("drop"), drop } },
    banner,
    h("div", { class: "composer-top" }, h("div", { class: "mode-switch", role: "radiogroup", "aria-label": "Write a" }, msgBtn, noteBtn), picker.el),
    text, chips, error,
    h("div", { class: "composer-foot" }, attach, hint, send), fileInput);

  const draft = drafts.get(convID);
  text.value = draft.text || "";
  wantNote = !!draft.note;
  const offs = [on("focus-composer", () => text.focus()), on("escape", () => picker.hide())];

  function writable() {
    return ctx.canWrite();
  }

  function caps() {
    const ch = channel(ctx.conv().channel);
    return ch ? { label: ch.label || `channel ${ch.name}`, ...ch.capabilities } : null;
  }

  function update() {
    const conv = ctx.conv();
    const w = writable();
    note = !w || wantNote;
    msgBtn.disabled = !w;
    msgBtn.setAttribute("aria-checked", String(!note));
    noteBtn.setAttribute("aria-checked", String(note));
    el.classList.toggle("note-mode", note);
    text.setAttribute("aria-label", note ? "Internal note" : "Message");
    send.textContent = note ? "Add note" : "Send";
    if (w) {
      banner.hidden = true;
    } else {
      const manage = !conv.assignee || state.me.role === "admin";
      const why = conv.assignee
        ? `Only ${operatorName(conv.assignee)}, the assigned operator, can reply in this conversation. You can add internal notes.`
        : "This conversation is unassigned: assign it to yourself to reply. Meanwhile you can add internal notes.";
      replace(banner, h("span", { class: "reason", id: "composer-reason" }, why),
        manage ? h("button", { type: "button", class: "primary small", id: "assign-me", on: { click: ctx.assignToMe } }, "Assign to me") : null);
      banner.hidden = false;
    }
    const c = caps();
    if (note || !c) {
      attach.disabled = false;
      attach.title = "Attach files to the note";
      hint.textContent = note ? "Notes are seen by operators only." : "";
    } else if (!c.attachments.length) {
      attach.disabled = true;
      attach.title = hint.textContent = `${c.label} accepts no attachments`;
    } else {
      attach.disabled = false;
      attach.title = `${c.label} accepts ${attachmentsText(c)} up to ${bytes(c.max_attachment_size)}`;
      hint.textContent = attach.title;
    }
  }

  function setNote(v) {
    if (!v && !writable()) return;
    wantNote = v;
    saveDraft();
    update();
    text.focus();
  }

  function saveDraft() {
    drafts.set(convID, { text: text.value, note: wantNote });
  }

  function changed() {
    error.hidden = true;
    saveDraft();
    picker.check();
  }

  // An Enter that chose a pick or sent the message must not also insert a
  // line break. Browsers skip the text input of a keydown whose default was
  // prevented, but input synthesised in separate steps (automation, some
  // input methods) may still bring it: beforeinput drops it.
  let swallowEnter = false;
  function key(e) {
    if (picker.key(e)) {
      swallowEnter = e.key === "Enter";
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      swallowEnter = true;
      submit();
    }
  }

  function guardEnter(e) {
    if (swallowEnter && (e.inputType === "insertLineBreak" || e.inputType === "insertParagraph")) e.preventDefault();
  }

  function paste(e) {
    const files = Array.from((e.clipboardData && e.clipboardData.files) || []);
    if (files.length) {
      e.preventDefault();
      stage(files);
    }
  }

  function dragOver(e) {
    if (e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files")) {
      e.preventDefault();
      el.classList.add("drop");
    }
  }

  function drop(e) {
    el.classList.remove("drop");
    const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
    if (!files.length) return;
    e.preventDefault();
    stage(files);
  }

  // refusal says why the channel cannot carry f, in the hub's own words,
  // or returns "" when it can (or the hub will have to sniff to know).
  function refusal(f) {
    const c = caps();
    if (note || !c) return "";
    if (!c.attachments.length) return `${c.label} accepts no attachments`;
    const type = (f.type || "").toLowerCase();
    if (type && !c.attachments.some((p) => matches(p, type))) return `${c.label} accepts only ${attachmentsText(c)}; this file is ${type}`;
    if (f.size > c.max_attachment_size) return `${c.label} accepts files up to ${bytes(c.max_attachment_size)}; this file is ${bytes(f.size)}`;
    return "";
  }

  function stage(files) {
    const refused = [];
    for (const f of files) {
      const why = refusal(f);
      if (why) refused.push(`${f.name}: ${why}`);
      else staged.push(f);
    }
    paintChips();
    if (refused.length) showError(refused.join("\n"));
    else error.hidden = true;
  }

  function paintChips() {
    replace(chips, staged.map((f, i) => h("span", { class: "chip" }, `${f.name} · ${bytes(f.size)}`,
      h("button", { type: "button", class: "chip-x", "aria-label": `Remove ${f.name}`, on: { click: () => { staged.splice(i, 1); paintChips(); } } }, "×"))));
  }

  function showError(msg) {
    error.textContent = msg;
    error.hidden = false;
  }

  // submit takes what is in the composer and queues it: the composer is
  // free at once for the next message, requests go out one after another
  // in order, and a refused one comes back into the composer with the
  // reason. Each keeps its idempotency key, so a retried request cannot
  // send twice.
  function submit() {
    const body = text.value.trim();
    if (!body && !staged.length) return;
    const command = /^[$!][a-z]/i.test(body) && !staged.length;
    if (!command) {
      const refused = staged.map((f) => refusal(f)).filter(Boolean);
      if (refused.length) return showError(refused.join("\n"));
    }
    const item = { body, files: staged, note, command, key: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}` };
    text.value = "";
    staged = [];
    paintChips();
    error.hidden = true;
    picker.hide();
    drafts.clear(convID);
    queue = queue.then(() => deliver(item));
  }

  async function deliver(item) {
    const path = `/conversations/${encodeURIComponent(convID)}/messages`;
    try {
      if (item.command) {
        const res = await api("POST", path, { text: item.body });
        if (res.conversation) ctx.onConversation(res.conversation);
        if (res.message) ctx.onMessage(res.message);
        toast(`Done: ${res.command}`);
      } else if (item.files.length) {
        const form = new FormData();
        form.append("text", item.body);
        form.append("note", String(item.note));
        form.append("idempotency_key", item.key);
        for (const f of item.files) form.append("file", f, f.name);
        ctx.onMessage(await api("POST", path, form));
      } else {
        ctx.onMessage(await api("POST", path, { text: item.body, note: item.note, idempotency_key: item.key }));
      }
    } catch (err) {
      // Back into the composer (and the saved draft), before anything typed
      // since, so nothing is lost; an expired session keeps it for later.
      const typed = text.value.trim();
      text.value = typed ? `${item.body}\n${typed}` : item.body;
      staged = item.files.concat(staged);
      paintChips();
      saveDraft();
      if (err.status !== 401) showError(err.message);
    }
  }

  update();
  return {
    el, update,
    focus: () => text.focus(),
    dragOver, drop,
    dispose: () => offs.forEach((off) => off()),
  };
}

function attachmentsText(c) {
  return c.attachments_label || c.attachments.join(", ");
}

function matches(pattern, type) {
  const p = pattern.toLowerCase();
  return p === "*/*" || p === type || (p.endsWith("/*") && type.startsWith(p.slice(0, -1)));
}
