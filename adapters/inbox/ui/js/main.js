// The inbox's entry point: session check, login, the shell, routing and
// keyboard shortcuts. Routes live in the URL fragment (#/inbox/mine/cnv_1)
// so the hub serves one page and reloads keep the place.

import { api } from "./api.js";
import { $, h, replace } from "./dom.js";
import * as feed from "./feed.js";
import { emit, on, state } from "./state.js";
import { renderShell, setActiveNav } from "./shell.js";
import { showLogin } from "./login.js";
import { mountList } from "./list.js";

let started = false;
let page = null; // {key, ctl}: the mounted page and its controller

// Pages other than conversation lists load on first use.
const lazyPages = {
  home: () => import("./home.js"),
  contacts: () => import("./contacts.js"),
  operators: () => import("./team.js"),
  notifications: () => import("./notifications.js"),
  settings: () => import("./settings.js"),
  help: () => import("./help.js"),
};

const listViews = { "inbox/mine": "mine", "inbox/unassigned": "unassigned", all: "all", filtered: "filtered", trash: "trash" };

async function boot() {
  on("unauthenticated", () => expire());
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", shortcut);
  try {
    state.me = await api("GET", "/me");
  } catch (err) {
    if (err.status === 401) return login(false);
    replace($("#app"), h("div", { class: "splash error" }, err.message));
    return;
  }
  await start();
}

function login(expired) {
  showLogin($("#app"), expired, async (me) => {
    state.me = me;
    await start();
  });
}

// expire ends the signed-in app: the feed stops and the login form shows.
// Drafts are already in localStorage and come back after the login.
function expire() {
  if (!started) return;
  started = false;
  feed.stop();
  if (page && page.ctl && page.ctl.dispose) page.ctl.dispose();
  page = null;
  login(true);
}

async function start() {
  const [ops, chs, macros, cmds] = await Promise.all([
    api("GET", "/operators"), api("GET", "/channels"), api("GET", "/macros"), api("GET", "/commands"),
  ]);
  state.operators = ops.operators;
  state.channels = chs.channels;
  state.macros = macros.macros;
  state.commands = cmds.commands;
  started = true;
  renderShell($("#app"));
  feed.start();
  route();
  import("./notify.js").then((m) => m.startNotifications());
}

// route mounts the page the fragment names. Moving between conversations
// of one list keeps the list mounted and only swaps the conversation.
async function route() {
  if (!started) return;
  const hash = location.hash.replace(/^#\/?/, "");
  if (!hash) {
    location.replace("#/inbox/mine");
    return;
  }
  const parts = hash.split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  let key = parts[0];
  let arg = parts[1];
  if (key === "inbox") {
    key = `inbox/${parts[1] || "mine"}`;
    arg = parts[2];
  }
  const main = $("#main");
  setActiveNav(key);
  if (page && page.key === key && page.ctl.show) {
    page.ctl.show(arg);
    return;
  }
  if (page && page.ctl && page.ctl.dispose) page.ctl.dispose();
  page = null;
  main.replaceChildren();
  if (listViews[key]) {
    page = { key, ctl: mountList(main, listViews[key], key) };
    page.ctl.show(arg);
    return;
  }
  const load = lazyPages[key];
  if (!load) {
    location.replace("#/inbox/mine");
    return;
  }
  const mod = await load();
  if (!started) return;
  const ctl = mod.mount(main, arg) || {};
  page = { key, ctl };
}

function typing(el) {
  return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

// shortcut: j/k move through the list, r replies, Esc leaves the composer,
// closes pickers and, on narrow screens, goes back to the list; "/" finds.
function shortcut(e) {
  if (!started || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "Escape") {
    emit("escape");
    if (typing(e.target)) {
      e.target.blur();
      return;
    }
    if (document.querySelector(".dialog-backdrop")) return;
    if (page && page.ctl.close) page.ctl.close();
    return;
  }
  if (typing(e.target)) return;
  switch (e.key) {
    case "j":
    case "k":
      if (page && page.ctl.move) {
        page.ctl.move(e.key === "j" ? 1 : -1);
        e.preventDefault();
      }
      break;
    case "r":
      // The cursor moves on keyup, so the "r" itself is never typed.
      e.preventDefault();
      document.addEventListener("keyup", () => emit("focus-composer"), { once: true });
      break;
    case "/": {
      const search = document.querySelector("[data-search]");
      if (search) {
        search.focus();
        e.preventDefault();
      }
      break;
    }
    case "?":
      location.hash = "#/help";
      break;
  }
}

boot();
