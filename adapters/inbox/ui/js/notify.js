// Notifications: the hub's list for this operator plus what the feed
// brings about their own and their groups' conversations; optional browser
// notifications and a sound; and the inactivity alarm, which fires when a
// contact in one of the operator's conversations has waited longer than the
// time they chose.

import { api } from "./api.js";
import { debounce, toast } from "./dom.js";
import { emit, load, on, prefs, save, state } from "./state.js";
import { setUnreadNotifications } from "./shell.js";

let server = [];
let session = []; // feed-made entries of this page's life
let alarmTimer = 0;
let mine = [];
const alarmed = new Set(); // conversation id + last message time already alarmed
let started = false;

export function startNotifications() {
  if (started) {
    loadServer();
    return;
  }
  started = true;
  loadServer();
  on("feed", feedEvent);
  on("resync", loadServer);
  on("prefs", () => { loadMine(); armAlarm(); });
  loadMine();
  armAlarm();
}

export function entries() {
  return [...session, ...server].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

export function markAllRead() {
  save("notifications-read", new Date().toISOString());
  paintUnread();
  emit("notifications-changed");
}

export function lastRead() {
  return load("notifications-read", "");
}

async function loadServer() {
  try {
    server = (await api("GET", "/notifications")).notifications;
  } catch {
    return;
  }
  paintUnread();
  emit("notifications-changed");
}

function paintUnread() {
  const since = lastRead();
  setUnreadNotifications(entries().filter((n) => !n.read && n.created_at > since).length);
}

function concerns(conv) {
  if (!conv || !state.me) return false;
  return conv.assignee === state.me.id || (!conv.assignee && conv.group && (state.me.groups || []).includes(conv.group));
}

const serverLater = debounce(loadServer, 500);
const mineLater = debounce(loadMine, 500);

function feedEvent({ type, data }) {
  const conv = data.conversation;
  if (type === "message.created" && data.message && data.message.direction === "in" && !data.message.note && concerns(conv)) {
    add("message", conv.id, `New message: ${data.message.text || "(a file)"}`.slice(0, 200));
  } else if (type === "conversation.assigned" && conv && conv.assignee === state.me.id) {
    serverLater(); // the hub records assignments itself
    ring("A conversation was assigned to you", conv.id);
  } else if (type === "message.status_changed" && data.message && data.message.status === "failed" && data.message.author === state.me.id) {
    serverLater();
  }
  if (type.startsWith("conversation.") || type === "message.created") mineLater();
}

function add(kind, convID, text) {
  session.unshift({ id: `live-${Date.now()}-${session.length}`, type: kind, conversation_id: convID, text, read: false, created_at: new Date().toISOString() });
  session = session.slice(0, 200);
  paintUnread();
  emit("notifications-changed");
  ring(text, convID);
}

// ring notifies the browser way (if enabled and allowed) and plays the
// sound (if enabled). Nothing pops up for the conversation on screen.
function ring(text, convID) {
  const p = prefs.get();
  const onScreen = document.visibilityState === "visible" && location.hash.endsWith("/" + convID);
  if (onScreen) return;
  if (p.browserNotifications && "Notification" in window && Notification.permission === "granted") {
    const n = new Notification("Switchboard", { body: text, tag: convID });
    n.onclick = () => { window.focus(); location.hash = `#/inbox/mine/${encodeURIComponent(convID)}`; };
  }
  if (p.sound) beep();
}

// beep plays a short two-tone chime, made on the spot (no audio file).
export function beep() {
  try {
    const ac = new AudioContext();
    const g = ac.createGain();
    g.connect(ac.destination);
    g.gain.setValueAtTime(0.001, ac.currentTime);
    g.gain.exponentialRampToValueAtTime(0.2, ac.currentTime + 0.02);
    g.gain.exponentialRampToValueAtTime(0.001, ac.currentTime + 0.5);
    for (const [f, t] of [[880, 0], [1320, 0.12]]) {
      const o = ac.createOscillator();
      o.frequency.value = f;
      o.connect(g);
      o.start(ac.currentTime + t);
      o.stop(ac.currentTime + t + 0.35);
    }
    setTimeout(() => ac.close(), 800);
  } catch { /* no audio: nothing to do */ }
}

// loadMine keeps the operator's conversations that need a reply, for the
// alarm. It runs on feed events only; the alarm's timer reads no network.
async function loadMine() {
  if (!prefs.get().alarmMinutes) return;
  try {
    mine = (await api("GET", "/conversations?view=mine&status=new,open&limit=200")).conversations;
  } catch {
    return;
  }
  checkAlarm();
}

function armAlarm() {
  clearInterval(alarmTimer);
  if (prefs.get().alarmMinutes > 0) alarmTimer = setInterval(checkAlarm, 15000);
}

function checkAlarm() {
  const minutes = prefs.get().alarmMinutes;
  if (!minutes) return;
  const now = Date.now();
  for (const c of mine) {
    if (!c.last_message_at) continue;
    const waited = (now - new Date(c.last_message_at).getTime()) / 60000;
    const key = c.id + c.last_message_at;
    if (waited >= minutes && !alarmed.has(key)) {
      alarmed.add(key);
      const who = (c.contact && c.contact.name) || "A contact";
      const text = `${who} has waited ${Math.floor(waited)} minutes for an answer`;
      toast(text, "error");
      add("alarm", c.id, text);
    }
  }
}
