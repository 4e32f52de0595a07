// Reel's web app: plain ES modules, no framework. Routes: /login, / (library),
// /item/:id (detail), /play/:fileId (player).
import { api, AuthError, clock } from "/api.js";
import { el } from "/dom.js";
import { deviceProfile } from "/profile.js";
import { Player } from "/player.js";

const main = document.getElementById("main");
const PAGE = 60; // cards rendered at a time; more as the grid scrolls into view
let cleanup = []; // what the current page undoes when the user leaves it
let events = null;

export function go(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (a && !e.ctrlKey && !e.metaKey && e.button === 0) {
    e.preventDefault();
    go(a.getAttribute("href"));
  }
});
window.addEventListener("popstate", route);
document.getElementById("signout").addEventListener("click", async () => {
  try { await api("/api/v1/auth/logout", { method: "POST" }); } catch (_) { /* signed out already */ }
  go("/login");
});

async function route() {
  for (const undo of cleanup.splice(0)) undo();
  const path = location.pathname;
  document.getElementById("bar").hidden = path === "/login" || path.startsWith("/play/");
  try {
    if (path === "/login") return renderLogin();
    listen();
    let m;
    if ((m = path.match(/^\/item\/(\d+)$/))) return await renderDetail(+m[1]);
    if ((m = path.match(/^\/play\/(\d+)$/))) return await renderPlayer(+m[1]);
    return await renderLibrary();
  } catch (e) {
    if (e instanceof AuthError) return go("/login", true);
    main.replaceChildren(el("p", { class: "error", role: "alert" }, `Something went wrong: ${e.message}`),
                         el("button", { onclick: route }, "Try again"));
  }
}

/* ---- sign-in ---- */

function renderLogin() {
  if (events) { events.close(); events = null; }
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "login", "aria-label": "Sign in" },
    el("h1", {}, "Sign in to Reel"),
    el("label", {}, "Username", el("input", { name: "username", autocomplete: "username", required: true })),
    el("label", {}, "Password", el("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    el("button", { type: "submit" }, "Sign in"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const data = Object.fromEntries(new FormData(form));
    try {
      await api("/api/v1/auth/login", { method: "POST", body: data });
      go("/", true);
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.replaceChildren(form);
  form.querySelector("input").focus();
}

/* ---- live sync: progress saved elsewhere updates what is on screen ---- */

function listen() {
  if (events) return;
  events = new EventSource("/api/v1/events");
  events.addEventListener("progress", (e) => {
    const p = JSON.parse(e.data);
    for (const card of document.querySelectorAll(`[data-file="${p.file_id}"]`)) setProgress(card, p);
    document.dispatchEvent(new CustomEvent("reel-progress", { detail: p }));
  });
}

function setProgress(card, p) {
  card.querySelector(".progress")?.remove();
  card.querySelector(".badge")?.remove();
  if (p.watched) {
    card.append(el("span", { class: "badge", "aria-label": "Watched" }, "✓ Watched"));
  } else if (p.percent > 0) {
    const pct = Math.round(p.percent);
    card.querySelector(".meta").before(
      el("div", { class: "progress", role: "progressbar", "aria-valuenow": pct, "aria-valuemin": 0,
                  "aria-valuemax": 100, "aria-label": `${pct} % watched` },
         el("span", { style: `width:${pct}%` })));
    card.querySelector(".sub").dataset.percent = `${pct} %`;
  }
  card.dataset.percent = p.watched ? "watched" : String(Math.round(p.percent || 0));
}

/* ---- library ---- */

function card(item, file, href, sub) {
  const img = file ? el("img", { src: `/api/v1/library/files/${file.id}/poster`, alt: "", loading: "lazy",
                                 onerror: (e) => e.target.replaceWith(el("div", { class: "noposter" })) })
                   : el("div", { class: "noposter" });
  const c = el("a", { class: "card", href, "data-link": true, "data-file": file ? file.id : undefined },
               img, el("div", { class: "meta" }, el("div", { class: "title" }, item.title),
                                el("div", { class: "sub" }, sub)));
  if (file) setProgress(c, file);
  return c;
}

/* A grid that renders PAGE cards at a time as it is scrolled into view, so a library of
 * thousands of titles stays quick. */
function pagedGrid(items, make) {
  const grid = el("div", { class: "grid" });
  let shown = 0;
  const sentinel = el("div", { class: "more", "aria-hidden": "true" });
  const more = () => {
    const end = Math.min(items.length, shown + PAGE);
    for (; shown < end; shown++) grid.append(make(items[shown]));
    if (shown >= items.length) { observer.disconnect(); sentinel.remove(); }
  };
  const observer = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && more());
  more();
  if (shown < items.length) observer.observe(sentinel);
  cleanup.push(() => observer.disconnect());
  return [grid, sentinel];
}

async function renderLibrary() {
  const [lib, cont] = await Promise.all([api("/api/v1/library/items"),
                                         api("/api/v1/progress?filter=continue")]);
  const parts = [];
  if (cont.items.length) {
    parts.push(el("h2", {}, "Continue Watching"),
      el("div", { class: "row", role: "list" }, cont.items.map((c) =>
        card({ title: c.show_title ? `${c.show_title}` : c.title },
             { id: c.file_id, percent: c.percent, watched: c.watched },
             `/item/${c.item_id}`,
             c.show_title ? `S${c.season}E${c.episode} · ${c.title}` : `${clock(c.duration - c.position)} left`))));
  }
  parts.push(el("h2", {}, "Movies"),
             ...pagedGrid(lib.movies, (m) => card(m, m.files[0], `/item/${m.id}`, m.year || "")));
  parts.push(el("h2", {}, "TV Shows"),
             ...pagedGrid(lib.shows, (s) => {
               const first = s.seasons[0]?.episodes[0]?.files[0];
               return card(s, first && { id: first.id }, `/item/${s.id}`,
                           s.unwatched ? `${s.unwatched} unwatched` : "All watched");
             }));
  main.replaceChildren(...parts);
}

/* ---- detail ---- */

function describeStreams(file) {
  return (file.streams || []).filter((s) => s.type !== "other").map((s) =>
    el("li", {}, el("code", {}, s.codec), " ", s.type,
       s.type === "video" ? ` ${s.width}×${s.height}${s.bit_depth > 8 ? ` ${s.bit_depth}-bit` : ""}${s.profile ? ` (${s.profile})` : ""}` : "",
       s.type === "audio" ? ` ${s.channels} ch${s.language ? ` ${s.language}` : ""}` : ""));
}

async function renderDetail(id) {
  const item = await api(`/api/v1/library/items/${id}`);
  if (item.kind === "show" || item.kind === "season") return renderShow(item);
  const file = item.files[0];
  const profile = deviceProfile();
  const plan = await api(`/api/v1/playback/${file.id}`, { method: "POST", body: { profile } });
  const resume = plan.resume_position;
  const play = (start) => { warm.played = true; go(`/play/${file.id}?item=${id}&t=${start}`); };
  const actions = el("div", { class: "actions" });
  const renderActions = (r) => actions.replaceChildren(
    ...(r > 0 ? [el("button", { onclick: () => play(r) }, `Resume from ${clock(r)}`),
                 el("button", { class: "secondary", onclick: () => play(0) }, "Start over")]
              : [el("button", { onclick: () => play(0) }, "Play")]));
  renderActions(resume);
  const onProgress = (e) => { if (e.detail.file_id === file.id) renderActions(e.detail.resume_position); };
  document.addEventListener("reel-progress", onProgress);
  cleanup.push(() => document.removeEventListener("reel-progress", onProgress));

  // HLS plays start faster when the encoder is already running: pre-warm, and end the
  // session if the user leaves without playing. Direct play needs nothing.
  const warm = { played: false, session: null };
  if (plan.method !== "direct_play") {
    api(`/api/v1/hls/preload/${file.id}`, { method: "POST", body: { profile, start: resume } })
      .then((r) => { warm.session = r.session_id; }).catch(() => {});
    const end = () => {
      if (!warm.played && warm.session) fetch(`/api/v1/hls/${warm.session}`, { method: "DELETE", keepalive: true });
    };
    cleanup.push(end);
    window.addEventListener("pagehide", end);
    cleanup.push(() => window.removeEventListener("pagehide", end));
  }
  main.replaceChildren(el("article", { class: "detail" },
    el("img", { src: `/api/v1/library/files/${file.id}/poster`, alt: "" }),
    el("div", {},
      el("h1", {}, item.title, item.year ? ` (${item.year})` : ""),
      el("p", { class: "facts" }, `${clock(file.duration)} · ${file.container}`),
      actions,
      el("p", { class: "facts", id: "method" }, "Reel will use ", el("strong", {}, plan.method.replace("_", " ")),
         plan.reasons.length ? ` because: ${plan.reasons.join(", ").replaceAll("_", " ")}` : " — this browser plays the file as it is."),
      el("ul", { class: "facts" }, describeStreams(file)))));
}

function renderShow(item) {
  const seasons = item.kind === "show" ? item.seasons : [item];
  main.replaceChildren(el("h1", {}, item.title),
    ...seasons.map((s) => [el("h2", {}, s.title),
      el("ul", { class: "episodes" }, s.episodes.map((e) => {
        const f = e.files[0];
        const pct = Math.round(f.percent);
        return el("li", {}, el("a", { href: `/item/${e.id}`, "data-link": true, "data-file": f.id },
          el("span", {}, `${e.episode}. ${e.title}`),
          f.watched ? el("span", { class: "badge", style: "position:static" }, "✓ Watched")
                    : el("span", { class: "progress", "aria-label": `${pct} % watched` }, el("span", { style: `width:${pct}%` }))));
      }))]).flat());
}

/* ---- player ---- */

async function renderPlayer(fileId) {
  const params = new URLSearchParams(location.search);
  const itemId = +params.get("item");
  const player = new Player(main, fileId, +params.get("t") || 0, {
    back: () => go(itemId ? `/item/${itemId}` : "/"),
    next: await nextEpisode(itemId),
  });
  cleanup.push(() => player.destroy());
  await player.start();
}

// The episode after this one in its season, as {fileId, itemId, title}, or null.
async function nextEpisode(itemId) {
  if (!itemId) return null;
  const item = await api(`/api/v1/library/items/${itemId}`);
  if (item.kind !== "episode" || !item.parent_id) return null;
  const season = await api(`/api/v1/library/items/${item.parent_id}`);
  const i = season.episodes.findIndex((e) => e.id === itemId);
  const n = season.episodes[i + 1];
  return n ? { fileId: n.files[0].id, itemId: n.id, title: n.title,
               play: () => go(`/play/${n.files[0].id}?item=${n.id}&t=0`) } : null;
}

route();
