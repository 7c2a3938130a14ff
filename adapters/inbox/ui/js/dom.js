import { icon } from "./icons.js";

// DOM building without HTML strings. Every piece of text, above all what
// contacts write, goes into the page through text nodes and attribute
// values: nothing here ever parses a string as HTML.

// h builds an element. props may hold: class, text, title, on (event
// handlers), data (dataset entries), and any other attribute. A property
// whose value is null, undefined or false is left out; true sets an empty
// attribute. Children are nodes, strings (as text) or arrays of them;
// null, undefined and false are skipped.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    switch (key) {
      case "class": el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value; break;
      case "text": el.textContent = value; break;
      case "on": for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn); break;
      case "data": for (const [k, v] of Object.entries(value)) el.dataset[k] = v; break;
      case "value": el.value = value; break;
      case "checked": el.checked = !!value; break;
      case "href": el.setAttribute("href", safeURL(value)); break;
      case "src": el.setAttribute("src", safeURL(value)); break;
      default: el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// safeURL lets through links within the hub, fragments, blob: URLs of
// local files and http(s) URLs; anything else (javascript:, data:) becomes
// a dead link.
export function safeURL(u) {
  const s = String(u);
  if (s.startsWith("/") && !s.startsWith("//")) return s;
  if (s.startsWith("#") || s.startsWith("blob:")) return s;
  try {
    const p = new URL(s, location.href);
    if (p.protocol === "http:" || p.protocol === "https:") return p.href;
  } catch { /* not a URL */ }
  return "#";
}

// replace empties el and appends the children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function $(sel, root = document) { return root.querySelector(sel); }
export function $$(sel, root = document) { return Array.from(root.querySelectorAll(sel)); }

// relTime renders how long ago t was: "now", "5m", "3h", "2d", or a date.
export function relTime(t, now = Date.now()) {
  if (!t) return "";
  const d = new Date(t);
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 45) return "now";
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86400) return `${Math.round(s / 3600)}h`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)}d`;
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: d.getFullYear() === new Date(now).getFullYear() ? undefined : "numeric" });
}

export function fullTime(t) {
  return t ? new Date(t).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function clock(t) {
  return t ? new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : "";
}

export function bytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} bytes`;
}

// debounce calls fn once calls have paused for ms.
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// toast shows a short message in the corner; kind "error" keeps it longer.
export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const el = h("div", { class: ["toast", kind], role: kind === "error" ? "alert" : null }, message);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === "error" ? 8000 : 3500);
}

// download offers text to the user as a file.
export function download(name, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = h("a", { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// The name of each channel type, for titles.
const channelNames = {
  webchat: "Web chat", email: "Email", telegram: "Telegram", whatsapp: "WhatsApp",
  sms: "SMS", messenger: "Messenger", webhook: "Webhook",
};

// channelIcon is the small round badge that tells a channel's type.
export function channelIcon(type, name) {
  const label = channelNames[type] || type || "Channel";
  const title = name ? `${label}: ${name}` : label;
  return h("span", { class: ["ch-icon", `ch-${channelNames[type] ? type : "other"}`], title, "aria-label": title, role: "img" },
    icon(channelNames[type] ? type : "other", "ch-glyph"));
}

export function channelTypeLabel(type) {
  return channelNames[type] || type;
}

export function statusBadge(status) {
  return h("span", { class: ["badge", `st-${status}`] }, (status || "").toUpperCase());
}

export function liveBadge() {
  return h("span", { class: "badge live", title: "Contact and assignee are both online" }, "LIVE");
}

// field is a labelled form control.
export function field(label, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), control,
    hint ? h("span", { class: "hint" }, hint) : null);
}

export function select(options, value, props = {}) {
  return h("select", props, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}
