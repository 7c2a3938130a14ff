// Help: keyboard shortcuts, composer commands, and what the statuses mean.

import { h } from "./dom.js";
import { state } from "./state.js";
import { kv } from "./sidepanel.js";

export function mount(main) {
  main.appendChild(h("div", { class: "page help" },
    h("h1", {}, "Help"),
    h("h2", {}, "Keyboard"),
    kv([
      [h("kbd", {}, "j"), "Next conversation in the list"],
      [h("kbd", {}, "k"), "Previous conversation"],
      [h("kbd", {}, "r"), "Reply: put the cursor in the composer"],
      [h("kbd", {}, "Esc"), "Leave the composer, close a picker or dialog; on a phone, back to the list"],
      [h("kbd", {}, "/"), "Search"],
      [h("kbd", {}, "Enter"), "Send (Shift+Enter starts a new line)"],
      [h("kbd", {}, "?"), "This page"],
    ]),
    h("h2", {}, "Composer commands"),
    h("p", {}, "Type these at the start of the composer. ", h("kbd", {}, "$"), " lists the commands, ", h("kbd", {}, "!"), " lists the macros. A command the conversation's channel cannot honour is refused with the reason."),
    kv(state.commands.map((c) => [h("code", {}, c.usage), c.description])),
    h("h2", {}, "Statuses"),
    kv([
      ["NEW", "Started while no operator was available; waits in Unassigned."],
      ["OPEN", "Needs an operator's reply."],
      ["WAITING", "An operator replied last; waiting for the contact."],
      ["RESOLVED", "Ended; shown under All conversations. A new message reopens it."],
      ["LIVE", "Contact and assignee are both online and the assignee holds a chat slot for it; sorted first."],
    ]),
    h("h2", {}, "Who may do what"),
    h("p", {}, "Only the assigned operator can write to the contact; everyone can add internal notes and take an unassigned conversation. Only the assignee or an admin can resolve. Only admins erase contacts and delete conversations for good.")));
}
