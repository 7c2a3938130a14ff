// Modal dialogs: confirm, typed confirm and prompt. They resolve to the
// answer, or null/false when cancelled (button, Esc or backdrop).

import { h } from "./dom.js";

function modal(title, body, actions, onKey) {
  return new Promise((resolve) => {
    const prev = document.activeElement;
    const close = (v) => {
      backdrop.remove();
      document.removeEventListener("keydown", key, true);
      if (prev && prev.focus) prev.focus();
      resolve(v);
    };
    const key = (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close(null);
      } else if (onKey) onKey(e, close);
    };
    const box = h("div", { class: "dialog", role: "dialog", "aria-modal": "true", "aria-label": title },
      h("h2", {}, title), body, h("div", { class: "dialog-actions" }, actions(close)));
    const backdrop = h("div", { class: "dialog-backdrop", on: { mousedown: (e) => { if (e.target === backdrop) close(null); } } }, box);
    document.body.appendChild(backdrop);
    document.addEventListener("keydown", key, true);
    const first = box.querySelector("input, select, textarea, button.primary, button.danger");
    if (first) first.focus();
  });
}

// confirmDialog asks a yes/no question. With typed set, the confirm button
// stays disabled until the operator types that exact text.
export function confirmDialog({ title, message, confirm = "OK", danger = false, typed = "" }) {
  let input = null;
  let ok = null;
  const body = h("div", { class: "dialog-body" }, h("p", {}, message),
    typed ? h("label", { class: "field" },
      h("span", { class: "field-label" }, "Type ", h("strong", { class: "typed-word" }, typed), " to confirm"),
      input = h("input", { type: "text", autocomplete: "off", "data-confirm-input": true, on: { input: () => { ok.disabled = input.value.trim() !== typed; } } }))
      : null);
  return modal(title, body, (close) => [
    h("button", { type: "button", on: { click: () => close(false) } }, "Cancel"),
    ok = h("button", { type: "button", class: danger ? "danger" : "primary", disabled: !!typed, data: { confirm: "yes" }, on: { click: () => close(true) } }, confirm),
  ]).then((v) => v === true);
}

// promptDialog asks for one line of text.
export function promptDialog({ title, label, value = "", confirm = "Save" }) {
  const input = h("input", { type: "text", value });
  const body = h("div", { class: "dialog-body" }, h("label", { class: "field" }, h("span", { class: "field-label" }, label), input));
  return modal(title, body, (close) => [
    h("button", { type: "button", on: { click: () => close(null) } }, "Cancel"),
    h("button", { type: "button", class: "primary", on: { click: () => close(input.value) } }, confirm),
  ], (e, close) => {
    if (e.key === "Enter" && e.target === input) {
      e.preventDefault();
      close(input.value);
    }
  });
}
