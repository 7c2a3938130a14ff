// The side panel of a conversation: the contact (editable), their channel
// identities and verification, custom fields and data, the conversation's
// details, its notes, and the contact's other conversations.

import { api } from "./api.js";
import { channelIcon, clock, fullTime, h, relTime, replace, statusBadge, toast } from "./dom.js";
import { channel, isAdmin, operatorName, state } from "./state.js";
import { promptDialog } from "./dialog.js";

// Fields a web chat records about the visit, shown under their own heading.
const visitKeys = /^(visited_urls?|urls?|page|referrer|browser|user_agent|os|device|ip|location)$/i;

export function createSidePanel(ctx) {
  const contactBox = h("section", { class: "side-section", "aria-label": "Contact" });
  const convBox = h("section", { class: "side-section", "aria-label": "Conversation details" });
  const notesBox = h("section", { class: "side-section", "aria-label": "Notes" });
  const otherBox = h("section", { class: "side-section", "aria-label": "Other conversations" });
  const el = h("aside", { class: "side" }, contactBox, convBox, notesBox, otherBox);
  let contactID = "";
  let editing = false;

  function update(detail, notes) {
    if (!editing) paintContact(detail.contact);
    paintConversation(detail);
    paintNotes(notes);
    if (detail.contact.id !== contactID) {
      contactID = detail.contact.id;
      loadOthers(detail);
    }
  }

  function paintContact(c) {
    const input = (name, value, type = "text") => h("input", { type, name, value: value || "", "data-contact-field": name, on: { input: () => { editing = true; save.hidden = false; } } });
    const form = h("form", { class: "contact-form", on: { submit: submitContact } },
      h("label", { class: "field" }, h("span", { class: "field-label" }, "Name"), input("name", c.name)),
      h("label", { class: "field" }, h("span", { class: "field-label" }, "Email"), input("email", c.email, "email")),
      h("label", { class: "field" }, h("span", { class: "field-label" }, "Phone"), input("phone", c.phone, "tel")),
      h("label", { class: "field" }, h("span", { class: "field-label" }, "Locale"), input("locale", c.locale)));
    const save = h("div", { class: "form-row", hidden: true },
      h("button", { type: "submit", class: "primary small" }, "Save"),
      h("button", { type: "button", class: "small", on: { click: () => { editing = false; paintContact(c); } } }, "Cancel"));
    form.appendChild(save);
    const fields = Object.entries(c.fields || {});
    const visit = fields.filter(([k]) => visitKeys.test(k));
    const custom = fields.filter(([k]) => !visitKeys.test(k));
    replace(contactBox,
      h("h3", {}, "Contact", h("a", { class: "side-link", href: `#/contacts/${encodeURIComponent(c.id)}` }, "Profile")),
      h("div", { class: "badges" },
        c.verified ? h("span", { class: "badge ok" }, "Verified") : h("span", { class: "badge muted", title: "No channel has verified who this is" }, "Not verified"),
        c.blocked ? h("span", { class: "badge danger" }, "Blocked") : null),
      form,
      h("h4", {}, "Channel identities"),
      h("ul", { class: "plain" }, (c.identities || []).map((id) => {
        const ch = channel(id.channel);
        return h("li", {}, channelIcon(ch ? ch.type : "", id.channel), ` ${id.channel}: `, h("code", {}, id.external_id),
          id.verified ? h("span", { class: "badge ok small" }, "verified") : null);
      })),
      visit.length ? [h("h4", {}, "Visit"), kv(visit)] : null,
      custom.length ? [h("h4", {}, "Custom fields"), kv(custom)] : null,
      fields.length ? h("details", { class: "json" }, h("summary", {}, "Custom data (JSON)"), h("pre", {}, JSON.stringify(c.fields, null, 2))) : null);
  }

  async function submitContact(e) {
    e.preventDefault();
    const form = e.target;
    const patch = {};
    for (const name of ["name", "email", "phone", "locale"]) patch[name] = form.elements[name].value;
    try {
      const c = await api("PATCH", `/contacts/${encodeURIComponent(contactID)}`, patch);
      editing = false;
      ctx.conv().contact = c;
      paintContact(c);
      toast("Contact saved");
    } catch (err) {
      toast(err.message, "error");
    }
  }

  function paintConversation(d) {
    replace(convBox, h("h3", {}, "Conversation"), kv([
      ["Status", statusBadge(d.status)],
      ["Assignee", d.assignee ? operatorName(d.assignee) : "Unassigned"],
      ["Group", d.group || "—"],
      ["Topic", d.topic || "—"],
      ["Channel", d.channel],
      ["Created", h("time", { title: fullTime(d.created_at) }, fullTime(d.created_at))],
      ["Last message", d.last_message_at ? h("time", { title: fullTime(d.last_message_at) }, relTime(d.last_message_at)) : "—"],
      ["Messages", String(d.counts ? d.counts.messages : 0)],
      ["Notes", String(d.counts ? d.counts.notes : 0)],
      ["Attachments", String(d.counts ? d.counts.attachments : 0)],
      ["Failed", String(d.counts ? d.counts.failed : 0)],
    ]));
  }

  function paintNotes(notes) {
    replace(notesBox, h("h3", {}, `Notes (${notes.length})`),
      notes.length ? h("ul", { class: "notes" }, notes.map((n) => h("li", { class: "note-item" },
        h("div", { class: "note-text" }, n.text),
        h("div", { class: "hint" }, `${operatorName(n.author)} · ${clock(n.created_at)}`, n.edited_at ? " · edited" : ""),
        (n.author === state.me.id || isAdmin()) ? h("div", { class: "form-row" },
          h("button", { type: "button", class: "link", on: { click: () => editNote(n) } }, "Edit"),
          h("button", { type: "button", class: "link danger", on: { click: () => deleteNote(n) } }, "Delete")) : null)))
        : h("p", { class: "hint" }, "No notes yet. Switch the composer to Note to add one."));
  }

  async function editNote(n) {
    const text = await promptDialog({ title: "Edit note", label: "Note", value: n.text });
    if (text === null) return;
    try {
      await api("PATCH", `/messages/${encodeURIComponent(n.id)}`, { text });
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function deleteNote(n) {
    try {
      await api("DELETE", `/messages/${encodeURIComponent(n.id)}`);
    } catch (err) {
      toast(err.message, "error");
    }
  }

  async function loadOthers(d) {
    replace(otherBox, h("h3", {}, "Other conversations"));
    let c;
    try {
      c = await api("GET", `/contacts/${encodeURIComponent(d.contact.id)}`);
    } catch {
      return;
    }
    const others = c.conversations.filter((x) => x.id !== d.id);
    replace(otherBox, h("h3", {}, `Other conversations (${others.length})`),
      others.length ? h("ul", { class: "plain others" }, others.map((x) => h("li", {},
        h("a", { href: `#/all/${encodeURIComponent(x.id)}` }, statusBadge(x.status), " ", x.topic || x.channel, " · ", relTime(x.last_message_at || x.created_at)))))
        : h("p", { class: "hint" }, "None."));
  }

  return { el, update };
}

// kv renders label/value pairs.
export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}
