// One row of a conversation list: contact, channel, status, topic, last
// message, relative time, unread mark and assignee.

import { channelIcon, h, liveBadge, relTime, statusBadge } from "./dom.js";
import { channel, operatorName, seen } from "./state.js";

// conversationRow renders c. opts: href, selectable (a checkbox bound to
// opts.selected, a Set of ids), onSelect.
export function conversationRow(c, opts) {
  const ch = channel(c.channel);
  const live = (c.labels || []).includes("LIVE");
  const unread = seen.unread(c);
  const name = (c.contact && (c.contact.name || c.contact.email || c.contact.phone)) || "Unknown contact";
  const box = opts.selectable
    ? h("input", {
      type: "checkbox", class: "row-check", "aria-label": `Select the conversation with ${name}`,
      checked: opts.selected.has(c.id),
      on: {
        click: (e) => e.stopPropagation(),
        change: (e) => opts.onSelect(c.id, e.target.checked),
      },
    })
    : null;
  const assignee = c.assignee ? operatorName(c.assignee) : c.group ? `Group ${c.group}` : "Unassigned";
  return h("div", {
    class: ["row", unread && "unread", live && "is-live", opts.active && "active"], data: { id: c.id }, role: "listitem",
  },
  box,
  h("a", { class: "row-main", href: opts.href, "aria-current": opts.active ? "page" : null },
    h("div", { class: "row-top" },
      channelIcon(ch ? ch.type : "", c.channel),
      h("span", { class: "row-name" }, name),
      unread ? h("span", { class: "unread-dot", title: "Unread", "aria-label": "unread" }) : null,
      h("time", { class: "row-time", datetime: c.last_message_at || c.created_at, title: c.last_message_at || "" },
        relTime(c.last_message_at || c.created_at))),
    h("div", { class: "row-mid" },
      live ? liveBadge() : null,
      statusBadge(c.status),
      c.topic ? h("span", { class: "row-topic" }, c.topic) : null,
      c.filter_reason ? h("span", { class: "badge muted" }, c.filter_reason) : null),
    h("div", { class: "row-preview" }, c.last_message || "No messages yet"),
    h("div", { class: "row-assignee" }, assignee)));
}
