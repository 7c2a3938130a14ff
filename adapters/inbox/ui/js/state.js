// Shared state of the inbox: who is logged in, the team, the channels, and
// a small event bus that carries feed events and app signals between
// modules. Per-browser preferences, drafts and "seen" marks live in
// localStorage, so a reload or an expired session loses none of them.

const bus = new EventTarget();

export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

// on subscribes fn to name and returns the unsubscribe function.
export function on(name, fn) {
  const handler = (e) => fn(e.detail);
  bus.addEventListener(name, handler);
  return () => bus.removeEventListener(name, handler);
}

export const state = {
  me: null,
  operators: [], // with presence and slots used
  channels: [],
  macros: [],
  commands: [],
};

export function operatorName(id) {
  if (!id) return "";
  const op = state.operators.find((o) => o.id === id);
  if (state.me && id === state.me.id) return "You";
  return op ? op.name || op.email : id;
}

export function channel(name) {
  return state.channels.find((c) => c.name === name);
}

// groups are the operator groups the hub knows of: those operators belong
// to and those channels route to.
export function groups() {
  const set = new Set();
  for (const o of state.operators) for (const g of o.groups || []) set.add(g);
  for (const c of state.channels) if (c.group) set.add(c.group);
  return Array.from(set).sort();
}

export function isAdmin() {
  return state.me && state.me.role === "admin";
}

// store reads and writes a JSON value in localStorage under a per-operator
// key, surviving reloads and expired sessions.
function key(name) {
  return `switchboard.${name}`;
}

export function load(name, fallback) {
  try {
    const v = localStorage.getItem(key(name));
    return v === null ? fallback : JSON.parse(v);
  } catch {
    return fallback;
  }
}

export function save(name, value) {
  try {
    if (value === undefined) localStorage.removeItem(key(name));
    else localStorage.setItem(key(name), JSON.stringify(value));
  } catch { /* storage full or disabled: drafts then live only in memory */ }
}

export const prefs = {
  get() {
    return Object.assign({ browserNotifications: false, sound: false, alarmMinutes: 0 }, load("prefs", {}));
  },
  set(p) {
    save("prefs", Object.assign(prefs.get(), p));
    emit("prefs");
  },
};

// Drafts are kept per conversation.
export const drafts = {
  get(convID) {
    return load(`draft.${convID}`, { text: "", note: false });
  },
  set(convID, d) {
    save(`draft.${convID}`, d.text || d.note ? d : undefined);
  },
  clear(convID) {
    save(`draft.${convID}`, undefined);
  },
};

// seen remembers, per conversation, the last message time the operator
// has seen, for the list's unread marks.
const maxSeen = 2000;
export const seen = {
  map: load("seen", {}),
  mark(conv) {
    if (!conv || !conv.last_message_at) return;
    this.map[conv.id] = conv.last_message_at;
    const ids = Object.keys(this.map);
    if (ids.length > maxSeen) {
      ids.sort((a, b) => (this.map[a] < this.map[b] ? -1 : 1));
      for (const id of ids.slice(0, ids.length - maxSeen)) delete this.map[id];
    }
    save("seen", this.map);
  },
  // unread: the contact wrote (the conversation needs a reply) after the
  // operator last looked.
  unread(conv) {
    if (conv.status !== "new" && conv.status !== "open") return false;
    const t = this.map[conv.id];
    return !t || (conv.last_message_at && conv.last_message_at > t);
  },
};
