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
