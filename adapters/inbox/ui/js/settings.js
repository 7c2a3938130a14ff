// Settings: channels as loaded from the YAML file with their health and
// capabilities, failed deliveries to re-drive, macros, groups, and (for
// admins) operators.

import { api } from "./api.js";
import { bytes, channelIcon, channelTypeLabel, field, fullTime, h, replace, select, toast } from "./dom.js";
import { groups, isAdmin, state } from "./state.js";
import { confirmDialog } from "./dialog.js";
import { presenceDot } from "./team.js";

const tabs = [["channels", "Channels"], ["macros", "Macros"], ["groups", "Groups"], ["operators", "Operators"]];

export function mount(main, arg) {
  const nav = h("nav", { class: "tabs" });
  const body = h("div", { class: "settings-body" });
  main.appendChild(h("div", { class: "page" }, h("h1", {}, "Settings"), nav, body));

  function show(tab) {
    tab = tabs.some(([t]) => t === tab) ? tab : "channels";
    replace(nav, tabs.map(([t, l]) => h("a", { href: `#/settings/${t}`, class: ["tab", t === tab && "active"] }, l)));
    replace(body, h("p", { class: "hint" }, "Loading…"));
    ({ channels, macros, groups: groupsTab, operators })[tab](body);
  }
  show(arg);
  return { show };
}

async function channels(body) {
  let chs;
  let poisoned;
  try {
    [chs, poisoned] = await Promise.all([api("GET", "/channels"), api("GET", "/poisoned")]);
  } catch (err) {
    replace(body, h("p", { class: "form-error" }, err.message));
    return;
  }
  state.channels = chs.channels;
  const yes = (b) => (b ? "yes" : "no");
  replace(body,
    h("p", { class: "hint" }, "Channels come from the hub's YAML file; change them there and restart."),
    h("div", { class: "channel-cards" }, chs.channels.map((c) => {
      const k = c.capabilities;
      const health = c.health || { status: "ok", detail: "" };
      return h("section", { class: "channel-card", data: { channel: c.name } },
        h("header", {}, channelIcon(c.type, c.name), h("h3", {}, c.name), h("span", { class: "hint" }, channelTypeLabel(c.type)),
          h("span", { class: ["badge", health.status === "ok" ? "ok" : "danger"], title: health.detail }, health.status === "ok" ? "Healthy" : "Needs attention")),
        health.detail ? h("p", { class: "hint" }, health.detail) : null,
        h("dl", { class: "kv" },
          h("dt", {}, "Label"), h("dd", {}, c.label || "—"),
          h("dt", {}, "Group"), h("dd", {}, c.group || "—"),
          h("dt", {}, "Attachments"), h("dd", {}, k.attachments.length ? `${k.attachments_label || k.attachments.join(", ")} up to ${bytes(k.max_attachment_size)}` : "none"),
          h("dt", {}, "Voice messages"), h("dd", {}, yes(k.voice)),
          h("dt", {}, "Delete sent messages"), h("dd", {}, k.delete_sent ? (k.delete_window_seconds ? `within ${Math.round(k.delete_window_seconds / 3600)} h` : "yes") : "no"),
          h("dt", {}, "Live sessions"), h("dd", {}, yes(k.live)),
          h("dt", {}, "Verification"), h("dd", {}, k.verification || "never"),
          h("dt", {}, "Proactive first message"), h("dd", {}, k.proactive || "no")));
    })),
    h("h2", {}, "Failed deliveries"),
    poisoned.poisoned.length
      ? h("ul", { class: "plain poisoned" }, poisoned.poisoned.map((p) => h("li", {},
        h("strong", {}, p.topic), ` · ${fullTime(p.created_at)} · `, h("span", {}, p.reason), " ",
        h("button", { type: "button", class: "small", on: { click: async (e) => { e.target.disabled = true; try { await api("POST", `/poisoned/${encodeURIComponent(p.id)}/redrive`); toast("Queued again"); channels(body); } catch (err) { toast(err.message, "error"); e.target.disabled = false; } } } }, "Re-drive"))))
      : h("p", { class: "hint" }, "None: every delivery went through or is still being retried."));
}

async function macros(body) {
  try {
    state.macros = (await api("GET", "/macros")).macros;
  } catch (err) {
    replace(body, h("p", { class: "form-error" }, err.message));
    return;
  }
  const name = h("input", { type: "text", name: "name", placeholder: "thanks", pattern: "[a-z0-9_\\-]{1,40}", required: true });
  const text = h("textarea", { name: "text", rows: "3", required: true, placeholder: "Thank you for your message!" });
  let editing = null;
  const submit = h("button", { type: "submit", class: "primary" }, "Add macro");
  const form = h("form", {
    class: "macro-form",
    on: {
      submit: async (e) => {
        e.preventDefault();
        try {
          if (editing) await api("PUT", `/macros/${encodeURIComponent(editing)}`, { name: name.value, text: text.value });
          else await api("POST", "/macros", { name: name.value, text: text.value });
          toast("Macro saved");
          macros(body);
        } catch (err) {
          toast(err.message, "error");
        }
      },
    },
  }, field("Name (type !name in the composer)", name), field("Text", text), submit);
  replace(body,
    h("table", { class: "table" }, h("thead", {}, h("tr", {}, h("th", {}, "Macro"), h("th", {}, "Text"), h("th", {}, ""))),
      h("tbody", {}, state.macros.map((m) => h("tr", {}, h("td", {}, h("code", {}, "!" + m.name)), h("td", { class: "pre" }, m.text),
        h("td", {},
          h("button", { type: "button", class: "link", on: { click: () => { editing = m.id; name.value = m.name; text.value = m.text; submit.textContent = "Save macro"; name.focus(); } } }, "Edit"),
          h("button", { type: "button", class: "link danger", on: { click: async () => { if (!await confirmDialog({ title: "Delete macro", message: `Delete !${m.name}?`, confirm: "Delete", danger: true })) return; try { await api("DELETE", `/macros/${encodeURIComponent(m.id)}`); macros(body); } catch (err) { toast(err.message, "error"); } } } }, "Delete")))))),
    h("h2", {}, "Add or edit a macro"), form);
}

function groupsTab(body) {
  const all = groups();
  replace(body,
    h("p", { class: "hint" }, "Groups come from operators' memberships and the channels' routing in the YAML file."),
    all.length ? h("table", { class: "table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Group"), h("th", {}, "Members"), h("th", {}, "Channels routed to it"))),
      h("tbody", {}, all.map((g) => h("tr", {}, h("td", {}, h("strong", {}, g)),
        h("td", {}, state.operators.filter((o) => (o.groups || []).includes(g)).map((o) => h("span", { class: "member" }, presenceDot(o), ` ${o.name || o.email}`))),
        h("td", {}, state.channels.filter((c) => c.group === g).map((c) => c.name).join(", ") || "—")))))
      : h("p", {}, "No groups yet. Give operators groups when adding them, and channels a group in the YAML file."));
}

function operators(body) {
  const list = h("table", { class: "table" },
    h("thead", {}, h("tr", {}, ["Operator", "Role", "Groups", "Chat slots"].map((t) => h("th", {}, t)))),
    h("tbody", {}, state.operators.map((o) => h("tr", {}, h("td", {}, presenceDot(o), ` ${o.name} `, h("span", { class: "hint" }, o.email)),
      h("td", {}, o.role), h("td", {}, (o.groups || []).join(", ") || "—"), h("td", {}, String(o.slots))))));
  if (!isAdmin()) {
    replace(body, list, h("p", { class: "hint" }, "Only admins add operators."));
    return;
  }
  const input = (name, type = "text", extra = {}) => h("input", { type, name, required: true, ...extra });
  const form = h("form", {
    class: "op-form",
    on: {
      submit: async (e) => {
        e.preventDefault();
        const f = e.target.elements;
        try {
          await api("POST", "/operators", {
            email: f.email.value.trim(), name: f.name.value.trim(), password: f.password.value, role: f.role.value,
            groups: f.groups.value.split(",").map((g) => g.trim()).filter(Boolean), slots: parseInt(f.slots.value, 10) || 0,
          });
          state.operators = (await api("GET", "/operators")).operators;
          toast("Operator added");
          operators(body);
        } catch (err) {
          toast(err.message, "error");
        }
      },
    },
  },
  field("Email", input("email", "email")), field("Name", input("name")),
  field("Password", input("password", "password", { minlength: "8", autocomplete: "new-password" })),
  field("Role", select([["operator", "Operator"], ["admin", "Admin"]], "operator", { name: "role" })),
  field("Groups", h("input", { type: "text", name: "groups", placeholder: "sales, support" }), "Comma-separated"),
  field("Chat slots", h("input", { type: "number", name: "slots", min: "0", max: "100", value: "3" })),
  h("button", { type: "submit", class: "primary" }, "Add operator"));
  replace(body, list, h("h2", {}, "Add an operator"), form);
}
