// The composer's pickers. Typing "!" at the start lists the chat macros
// (choosing one puts its text in the composer); typing "$" lists the
// operator commands with what each does (choosing one types the command).

import { h, replace } from "./dom.js";
import { state } from "./state.js";

export function createPicker(textarea, { onChoose }) {
  let items = [];
  let index = 0;
  let kind = "";
  const el = h("div", { class: "picker", role: "listbox", hidden: true, id: "picker" });

  function check() {
    const v = textarea.value;
    let m;
    if ((m = /^!([\w-]*)$/.exec(v))) {
      kind = "macro";
      const q = m[1].toLowerCase();
      items = state.macros.filter((x) => x.name.startsWith(q)).map((x) => ({ label: "!" + x.name, detail: x.text, insert: x.text }));
      if (!items.length) items = [{ label: state.macros.length ? "No macro starts with that" : "No macros yet", detail: "Add macros under Settings → Macros", insert: null }];
    } else if ((m = /^\$([a-z]*)$/i.exec(v))) {
      kind = "command";
      const q = m[1].toLowerCase();
      items = state.commands.filter((c) => c.name !== "macro" && c.name.startsWith(q)).map((c) => ({
        label: c.usage, detail: c.description, insert: commandPrefix(c),
      }));
    } else {
      return hide();
    }
    index = Math.min(index, Math.max(items.length - 1, 0));
    paint();
  }

  function paint() {
    if (!items.length) return hide();
    el.hidden = false;
    el.dataset.kind = kind;
    replace(el, items.map((it, i) => h("div", {
      class: ["pick", i === index && "active", it.insert === null && "disabled"], role: "option", "aria-selected": String(i === index),
      data: { pick: it.label },
      on: { mousedown: (e) => { e.preventDefault(); choose(i); } },
    }, h("span", { class: "pick-label" }, it.label), h("span", { class: "pick-detail" }, it.detail))));
  }

  function choose(i) {
    const it = items[i];
    if (!it || it.insert === null) return;
    textarea.value = it.insert;
    textarea.focus();
    textarea.setSelectionRange(it.insert.length, it.insert.length);
    hide();
    onChoose();
  }

  function hide() {
    el.hidden = true;
    items = [];
    index = 0;
  }

  // key handles picker keys while it is open; it reports whether it did.
  function key(e) {
    if (el.hidden) return false;
    switch (e.key) {
      case "ArrowDown":
        index = (index + 1) % items.length;
        break;
      case "ArrowUp":
        index = (index - 1 + items.length) % items.length;
        break;
      case "Enter":
      case "Tab":
        choose(index);
        break;
      case "Escape":
        hide();
        break;
      default:
        return false;
    }
    e.preventDefault();
    e.stopPropagation();
    if (!el.hidden) paint();
    return true;
  }

  return { el, check, key, hide };
}

// commandPrefix is what choosing a command types: its word (and "group"
// for "$forward group"), followed by a space when it takes an argument.
function commandPrefix(c) {
  const word = c.usage.split(" <")[0];
  return c.arg === "none" ? word : word + " ";
}
