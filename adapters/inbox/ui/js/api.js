// The operator API, /api/v1. Calls ride on the session cookie; the API
// refuses cookie-authenticated writes from other origins, so nothing else
// is needed against CSRF. A 401 on any call but the login itself means the
// session ended: "unauthenticated" is emitted and the app shows the login
// form (drafts stay in localStorage).

import { emit } from "./state.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls method on path (below /api/v1) and returns the decoded JSON,
// or null for an empty answer. body may be a plain object (sent as JSON) or
// FormData (sent as multipart).
export async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch("/api/v1" + path, init);
  } catch {
    throw new ApiError(0, "network", "The hub cannot be reached; check the connection and try again.");
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: "http_" + res.status, message: `The hub answered ${res.status}.` };
    if (res.status === 401 && !(method === "POST" && path === "/session")) emit("unauthenticated");
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

// query renders the set entries of params as a query string.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
