// The notifications page: a chronological list, and this browser's
// notification preferences.

import { fullTime, h, relTime, replace } from "./dom.js";
import { on, prefs } from "./state.js";
import { beep, entries, lastRead, markAllRead } from "./notify.js";

export function mount(main) {
  const list = h("ul", { class: "notif-list", id: "notifications" });
  main.appendChild(h("div", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Notifications"),
      h("button", { type: "button", on: { click: markAllRead } }, "Mark all read")),
    preferences(),
    list));

  function paint() {
    const since = lastRead();
    const all = entries();
    replace(list, all.length ? all.map((n) => h("li", { class: ["notif", !n.read && n.created_at > since && "unread"] },
      h("span", { class: ["notif-kind", `nk-${n.type}`] }, n.type),
      h("div", { class: "notif-body" },
        n.conversation_id ? h("a", { href: `#/all/${encodeURIComponent(n.conversation_id)}` }, n.text) : h("span", {}, n.text),
        h("time", { class: "hint", title: fullTime(n.created_at) }, ` ${relTime(n.created_at)}`))))
      : h("li", { class: "hint" }, "Nothing yet."));
  }

  paint();
  const offs = [on("notifications-changed", paint)];
  return { dispose: () => offs.forEach((off) => off()) };
}

// preferences are kept per browser: browser notifications (asked for once
// turned on), a sound, and the inactivity alarm.
function preferences() {
  const p = prefs.get();
  const supported = "Notification" in window;
  const notif = h("input", {
    type: "checkbox", checked: p.browserNotifications && supported, disabled: !supported,
    on: {
      change: async (e) => {
        let on = e.target.checked;
        if (on && Notification.permission !== "granted") on = (await Notification.requestPermission()) === "granted";
        e.target.checked = on;
        prefs.set({ browserNotifications: on });
      },
    },
  });
  const sound = h("input", { type: "checkbox", checked: p.sound, on: { change: (e) => { prefs.set({ sound: e.target.checked }); if (e.target.checked) beep(); } } });
  const alarm = h("input", {
    type: "number", min: "0", max: "1440", step: "1", value: String(p.alarmMinutes || 0), class: "narrow",
    "aria-label": "Inactivity alarm in minutes",
    on: { change: (e) => prefs.set({ alarmMinutes: Math.max(0, Math.min(1440, parseInt(e.target.value, 10) || 0)) }) },
  });
  return h("details", { class: "prefs", open: true },
    h("summary", {}, "Alerts in this browser"),
    h("p", { class: "hint" }, "For new messages in your conversations and your groups' unassigned ones."),
    h("label", { class: "check" }, notif, supported ? " Browser notifications" : " Browser notifications (not supported here)"),
    h("label", { class: "check" }, sound, " Play a sound"),
    h("label", { class: "check" }, "Inactivity alarm after ", alarm, " minutes a contact waits for an answer (0 turns it off)"));
}
