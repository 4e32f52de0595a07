// The library page: continue watching, movies and shows, as cards with their progress.
import { api } from "/api.js";
import { el } from "/dom.js";
import { clock } from "/format.js";
import { main, onLeave } from "/router.js";

const PAGE = 60; // cards rendered at a time; more as the grid scrolls into view

export function setProgress(card, p) {
  card.querySelector(".progress")?.remove();
  card.querySelector(".badge")?.remove();
  if (p.watched) {
    card.append(el("span", { class: "badge", "aria-label": "Watched" }, "✓ Watched"));
  } else if (p.percent > 0) {
    const pct = Math.round(p.percent);
    card.querySelector(".meta").before(
      el(
        "div",
        {
          class: "progress",
          role: "progressbar",
          "aria-valuenow": pct,
          "aria-valuemin": 0,
          "aria-valuemax": 100,
          "aria-label": `${pct} % watched`,
        },
        el("span", { style: `width:${pct}%` }),
      ),
    );
    card.querySelector(".sub").dataset.percent = `${pct} %`;
  }
  card.dataset.percent = p.watched ? "watched" : String(Math.round(p.percent || 0));
}

function card(item, file, href, sub) {
  const img = file
    ? el("img", {
        src: `/api/v1/library/files/${file.id}/poster`,
        alt: "",
        loading: "lazy",
        onerror: (e) => e.target.replaceWith(el("div", { class: "noposter" })),
      })
    : el("div", { class: "noposter" });
  const c = el(
    "a",
    { class: "card", href, "data-link": true, "data-file": file ? file.id : undefined },
    img,
    el(
      "div",
      { class: "meta" },
      el("div", { class: "title" }, item.title),
      el(
        "div",
        { class: "sub" },
        sub,
        file?.prepared
          ? el("span", { class: "prepared", title: "Prepared for streaming" }, " · ⚡")
          : null,
      ),
    ),
  );
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
    if (shown >= items.length) {
      observer.disconnect();
      sentinel.remove();
    }
  };
  const observer = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && more());
  more();
  if (shown < items.length) observer.observe(sentinel);
  onLeave(() => observer.disconnect());
  return [grid, sentinel];
}

export async function renderLibrary() {
  const [lib, cont] = await Promise.all([
    api("/api/v1/library/items"),
    api("/api/v1/progress?filter=continue"),
  ]);
  const parts = [];
  if (cont.items.length) {
    parts.push(
      el("h2", {}, "Continue Watching"),
      el(
        "div",
        { class: "row", role: "list" },
        cont.items.map((c) =>
          card(
            { title: c.show_title ? `${c.show_title}` : c.title },
            { id: c.file_id, percent: c.percent, watched: c.watched },
            `/item/${c.item_id}`,
            c.show_title
              ? `S${c.season}E${c.episode} · ${c.title}`
              : `${clock(c.duration - c.position)} left`,
          ),
        ),
      ),
    );
  }
  parts.push(
    el("h2", {}, "Movies"),
    ...pagedGrid(lib.movies, (m) => card(m, m.files[0], `/item/${m.id}`, m.year || "")),
  );
  parts.push(
    el("h2", {}, "TV Shows"),
    ...pagedGrid(lib.shows, (s) => {
      const first = s.seasons[0]?.episodes[0]?.files[0];
      return card(
        s,
        first && { id: first.id },
        `/item/${s.id}`,
        s.unwatched ? `${s.unwatched} unwatched` : "All watched",
      );
    }),
  );
  main.replaceChildren(...parts);
}
