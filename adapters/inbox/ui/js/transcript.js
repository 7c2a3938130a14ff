// The transcript of a conversation: contact and operator messages with
// their delivery state, notes set apart, deleted messages marked but still
// readable, attachments previewed (images) or offered for download.

import { api } from "./api.js";
import { bytes, channelIcon, clock, fullTime, h, replace, toast } from "./dom.js";
import { channel, operatorName } from "./state.js";
import { icon } from "./icons.js";

const stateLabels = { pending: "Sending…", sent: "Sent", delivered: "Delivered", read: "Read", failed: "Failed" };
const stateIcons = { pending: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "⚠" };

export function createTranscript(ctx) {
  let msgs = [];
  const list = h("div", { class: "transcript-inner" });
  const el = h("div", { class: "transcript", role: "log", "aria-label": "Transcript", tabindex: "0" }, list);

  function nearBottom() {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  function paint(stick) {
    const conv = ctx.conv();
    let day = "";
    const nodes = [];
    for (const m of msgs) {
      const d = new Date(m.created_at).toDateString();
      if (d !== day) {
        day = d;
        nodes.push(h("div", { class: "day" }, new Date(m.created_at).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" })));
      }
      nodes.push(message(m, conv));
    }
    if (!msgs.length) nodes.push(h("p", { class: "hint center" }, "No messages yet."));
    replace(list, nodes);
    if (stick) {
      el.scrollTop = el.scrollHeight;
      // Images grow the transcript as they load: stay at the bottom.
      for (const img of list.querySelectorAll("img")) {
        if (!img.complete) img.addEventListener("load", () => { el.scrollTop = el.scrollHeight; }, { once: true });
      }
    }
  }

  return {
    el,
    set(all) {
      msgs = all.filter((m) => !(m.note && m.deleted_at));
      paint(true);
    },
    // upsert adds or changes one message. Feed events are authoritative and
    // arrive in order; an API answer only adds a message the feed has not
    // brought yet, so it never turns a "sent" back into "pending".
    upsert(m, authoritative) {
      const stick = nearBottom() || (m.direction === "out" && !authoritative);
      const i = msgs.findIndex((x) => x.id === m.id);
      if (m.note && m.deleted_at) {
        if (i >= 0) msgs.splice(i, 1);
      } else if (i >= 0) {
        if (!authoritative) return;
        msgs[i] = m;
      } else {
        msgs.push(m);
        msgs.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
      }
      paint(stick);
    },
    notes: () => msgs.filter((m) => m.note),
    messages: () => msgs.slice(),
  };
}

function message(m, conv) {
  const ch = channel(conv.channel);
  const kind = m.note ? "note" : m.direction;
  const author = m.note || m.direction === "out" ? operatorName(m.author) || "Operator" : conv.contact.name || "Contact";
  const deleted = m.deleted_at && !m.note;
  return h("div", { class: ["msg", kind, deleted && "deleted", m.status === "failed" && "failed"], data: { messageId: m.id, status: m.status || "" } },
    h("div", { class: "bubble" },
      m.note ? h("div", { class: "note-label" }, `Note by ${author}`) : null,
      m.text ? h("div", { class: "msg-text" }, m.text) : null,
      m.attachments && m.attachments.length ? h("div", { class: "attachments" }, m.attachments.map(attachment)) : null),
    h("div", { class: "msg-meta" },
      m.note ? null : channelIcon(ch ? ch.type : "", conv.channel),
      m.note ? null : h("span", { class: "msg-author" }, author),
      h("time", { datetime: m.created_at, title: fullTime(m.created_at) }, clock(m.created_at)),
      m.edited_at ? h("span", { class: "tag" }, "edited") : null,
      m.masked ? h("span", { class: "tag", title: "A card number in this message was masked" }, "card masked") : null,
      deleted ? h("span", { class: "tag deleted-tag", title: fullTime(m.deleted_at) }, m.direction === "out" ? "deleted for contact" : "deleted by contact") : null,
      m.direction === "out" && !m.note && m.status ? delivery(m) : null));
}

function delivery(m) {
  const st = h("span", { class: ["delivery", `ds-${m.status}`], title: stateLabels[m.status] || m.status, "data-delivery": m.status },
    h("span", { "aria-hidden": "true" }, stateIcons[m.status] || ""), " ", stateLabels[m.status] || m.status);
  if (m.status !== "failed") {
    return m.status === "pending" && m.error ? [st, h("span", { class: "retrying", title: m.error }, ` · retrying: ${m.error}`)] : st;
  }
  const retry = h("button", {
    type: "button", class: "link retry",
    on: {
      click: async () => {
        retry.disabled = true;
        try {
          await api("POST", `/messages/${encodeURIComponent(m.id)}/retry`);
        } catch (err) {
          toast(err.message, "error");
          retry.disabled = false;
        }
      },
    },
  }, "Retry");
  return [st, h("span", { class: "fail-reason" }, m.error || "The provider refused the message."), retry];
}

function attachment(a) {
  const label = `${a.filename} · ${bytes(a.size)}`;
  const flag = a.flagged ? h("span", { class: "tag warn", title: "The channel should not carry this kind of file; it is kept anyway" }, "outside channel capabilities") : null;
  if (a.content_type.startsWith("image/") && !a.content_type.startsWith("image/svg")) {
    return h("figure", { class: "att att-image" },
      h("a", { href: a.url, target: "_blank", rel: "noopener" }, h("img", { src: a.url, alt: a.filename, loading: "lazy" })),
      h("figcaption", {}, h("a", { href: a.url, download: a.filename }, label), flag));
  }
  if (a.content_type.startsWith("audio/")) {
    return h("div", { class: "att att-audio" }, h("audio", { controls: true, preload: "none", src: a.url }),
      h("a", { href: a.url, download: a.filename }, a.voice ? `Voice message · ${bytes(a.size)}` : label), flag);
  }
  return h("div", { class: "att att-file" }, h("a", { href: a.url, download: a.filename }, icon("clip"), label),
    h("span", { class: "hint" }, a.content_type), flag);
}

// transcriptText renders a conversation as plain text for download.
export function transcriptText(detail, msgs) {
  const lines = [
    `Conversation ${detail.id} on ${detail.channel}`,
    `Contact: ${detail.contact.name || ""} ${detail.contact.email || ""} ${detail.contact.phone || ""}`.trim(),
    `Status: ${detail.status}${detail.topic ? `; topic: ${detail.topic}` : ""}`,
    "",
  ];
  for (const m of msgs) {
    const who = m.note ? `Note by ${operatorName(m.author)}` : m.direction === "out" ? operatorName(m.author) || "Operator" : detail.contact.name || "Contact";
    const files = (m.attachments || []).map((a) => ` [file: ${a.filename}]`).join("");
    const flags = [m.deleted_at ? "deleted" : "", m.status === "failed" ? "failed: " + m.error : ""].filter(Boolean).join(", ");
    lines.push(`[${new Date(m.created_at).toISOString()}] ${who}: ${m.text}${files}${flags ? ` (${flags})` : ""}`);
  }
  return lines.join("\n") + "\n";
}
