// The live feed: Server-Sent Events from /api/v1/events. Every event is
// re-emitted on the app bus as "feed" with {type, data}. The browser
// reconnects by itself after a dropped connection; when the feed was
// refused (the session ended) or the hub dropped it for lagging
// ("overflow"), this module reconnects with a back-off and emits "resync"
// so views reload what they show. No polling: between events nothing is
// fetched.

import { api } from "./api.js";
import { emit } from "./state.js";

const types = [
  "message.created", "message.status_changed", "message.updated",
  "conversation.created", "conversation.status_changed", "conversation.assigned", "conversation.updated",
  "contact.updated", "contact.erased", "operator.presence",
];

let source = null;
let backoff = 1000;
let retryTimer = 0;
let hadError = false;
let stopped = true;

export function start() {
  stopped = false;
  connect();
}

export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
}

function connect() {
  if (stopped) return;
  if (source) source.close();
  source = new EventSource("/api/v1/events");
  source.addEventListener("open", () => {
    backoff = 1000;
    setStatus("live");
    if (hadError) emit("resync"); // events may have been missed meanwhile
    hadError = false;
  });
  source.addEventListener("error", () => {
    hadError = true;
    if (source && source.readyState === EventSource.CONNECTING) {
      setStatus("reconnecting");
      return; // the browser retries on its own
    }
    setStatus("offline");
    retry();
  });
  source.addEventListener("overflow", () => {
    hadError = true;
    retry();
  });
  for (const type of types) {
    source.addEventListener(type, (e) => {
      let ev;
      try {
        ev = JSON.parse(e.data);
      } catch {
        return;
      }
      emit("feed", { type, data: ev.data || {}, id: ev.id, timestamp: ev.timestamp });
    });
  }
}

// retry checks the session (a 401 sends the app to the login form) and
// reconnects after a growing pause.
function retry() {
  if (source) source.close();
  source = null;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(async () => {
    try {
      await api("GET", "/me");
    } catch (err) {
      if (err.status === 401) return; // the login form takes over
    }
    connect();
  }, backoff);
  backoff = Math.min(backoff * 2, 30000);
}

function setStatus(s) {
  document.documentElement.dataset.feed = s;
  emit("feed-status", s);
}
