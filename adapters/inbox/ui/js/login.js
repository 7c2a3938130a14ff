// The login form. After an expired session it says so; the page the
// operator was on, and their drafts, come back once they are signed in.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { load, save } from "./state.js";

export function showLogin(root, expired, done) {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, value: load("last-email", "") });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "login-card", id: "login", on: { submit } },
    h("div", { class: "login-brand" }, h("span", { class: "logo-mark" }, "SB"), h("span", {}, "Switchboard")),
    h("h1", {}, "Sign in to the inbox"),
    expired ? h("p", { class: "notice" }, "Your session ended. Sign in again: your drafts are kept.") : null,
    h("label", { class: "field" }, h("span", { class: "field-label" }, "Email"), email),
    h("label", { class: "field" }, h("span", { class: "field-label" }, "Password"), password),
    error, button);

  async function submit(e) {
    e.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const res = await api("POST", "/session", { email: email.value.trim(), password: password.value });
      save("last-email", email.value.trim());
      await done(res.operator);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      button.disabled = false;
      password.select();
    }
  }

  replace(root, h("div", { class: "login-page" }, form));
  (email.value ? password : email).focus();
}
