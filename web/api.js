// Talks to Reel's API. The session is the HttpOnly cookie set at sign-in.
export class AuthError extends Error {}

export async function api(path, { method = "GET", body } = {}) {
  const r = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status === 401 && !path.endsWith("/auth/login")) throw new AuthError("signed out");
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const e = new Error((data && data.message) || r.statusText);
    e.status = r.status;
    e.data = data;
    throw e;
  }
  return data;
}

export function clock(seconds) {
  seconds = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// Sequence numbers rise with every save from this device, across reloads too.
let counter = 0;
export function nextSeq() {
  return Date.now() * 1000 + (counter++ % 1000);
}

export function deviceId() {
  let id = localStorage.getItem("reel-device");
  if (!id) {
    id = "web-" + crypto.getRandomValues(new Uint32Array(2)).join("-");
    localStorage.setItem("reel-device", id);
  }
  return id;
}
