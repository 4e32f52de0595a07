// A title's page: how Reel will play it and why, Play / Resume, and a show's episodes.
import { api } from "/api.js";
import { el } from "/dom.js";
import { clock } from "/format.js";
import { deviceId } from "/device.js";
import { SEGMENTS, deviceProfile } from "/profile.js";
import { go, main, onLeave } from "/router.js";

function describeStreams(file) {
  return (file.streams || [])
    .filter((s) => s.type !== "other")
    .map((s) =>
      el(
        "li",
        {},
        el("code", {}, s.codec),
        " ",
        s.type,
        s.type === "video"
          ? ` ${s.width}×${s.height}${s.bit_depth > 8 ? ` ${s.bit_depth}-bit` : ""}${s.profile ? ` (${s.profile})` : ""}`
          : "",
        s.type === "audio" ? ` ${s.channels} ch${s.language ? ` ${s.language}` : ""}` : "",
      ),
    );
}

export async function renderDetail(id) {
  const item = await api(`/api/v1/library/items/${id}`);
  if (item.kind === "show" || item.kind === "season") return renderShow(item);
  const file = item.files[0];
  const profile = deviceProfile();
  // A file that cannot be played (the probe failed, or it holds no audio or video) says
  // why on its page, and offers no Play button that would only fail.
  const plan = await api(`/api/v1/playback/${file.id}`, {
    method: "POST",
    body: { profile, segments: SEGMENTS, device_id: deviceId() },
  }).catch((e) => {
    if (e.status === 422) return { unplayable: e.message };
    throw e;
  });
  if (plan.unplayable) return renderUnplayable(item, file, plan.unplayable);
  const resume = plan.resume_position;
  const play = (start) => {
    warm.played = true;
    go(`/play/${file.id}?item=${id}&t=${start}`);
  };
  const actions = el("div", { class: "actions" });
  const renderActions = (r) =>
    actions.replaceChildren(
      ...(r > 0
        ? [
            el("button", { onclick: () => play(r) }, `Resume from ${clock(r)}`),
            el("button", { class: "secondary", onclick: () => play(0) }, "Start over"),
          ]
        : [el("button", { onclick: () => play(0) }, "Play")]),
    );
  renderActions(resume);
  const onProgress = (e) => {
    if (e.detail.file_id === file.id) renderActions(e.detail.resume_position);
  };
  document.addEventListener("reel-progress", onProgress);
  onLeave(() => document.removeEventListener("reel-progress", onProgress));

  // HLS plays start faster when the encoder is already running: pre-warm, and end the
  // session if the user leaves without playing. Direct play and a prepared version need
  // nothing.
  const warm = { played: false, session: null };
  if (plan.method !== "direct_play" && !plan.prepared) {
    api(`/api/v1/hls/preload/${file.id}`, {
      method: "POST",
      body: { profile, start: resume, device_id: deviceId() },
    })
      .then((r) => {
        warm.session = r.session_id;
      })
      .catch(() => {});
    const end = () => {
      if (!warm.played && warm.session)
        fetch(`/api/v1/hls/${warm.session}`, { method: "DELETE", keepalive: true });
    };
    onLeave(end);
    window.addEventListener("pagehide", end);
    onLeave(() => window.removeEventListener("pagehide", end));
  }
  main.replaceChildren(
    el(
      "article",
      { class: "detail" },
      el("img", { src: `/api/v1/library/files/${file.id}/poster`, alt: "" }),
      el(
        "div",
        {},
        el("h1", {}, item.title, item.year ? ` (${item.year})` : ""),
        el("p", { class: "facts" }, `${clock(file.duration)} · ${file.container}`),
        actions,
        el(
          "p",
          { class: "facts", id: "method" },
          "Reel will use ",
          el("strong", {}, plan.method.replace("_", " ")),
          plan.reasons.length
            ? ` because: ${plan.reasons.join(", ").replaceAll("_", " ")}`
            : " — this browser plays the file as it is.",
        ),
        el("ul", { class: "facts" }, describeStreams(file)),
        await preparedVersion(file),
        linkForAnotherPlayer(file),
      ),
    ),
  );
}

const PREPARED_WORDS = {
  none: () => "Not prepared for streaming.",
  queued: () => "Waiting to be prepared…",
  generating: (v) => `Preparing for streaming: ${Math.round(v.progress)} %`,
  ready: (v) =>
    `Prepared for streaming on ${new Date(v.generated_at * 1000).toLocaleDateString()} ` +
    `(${(v.size / 1048576).toFixed(1)} MB): it starts at once.`,
  failed: (v) => `Preparing failed: ${v.error}`,
  stale: () => "Prepared from an older copy of the file: prepare it again.",
};

// The file's prepared version, followed live while it is made; administrators can ask for
// one.
async function preparedVersion(file) {
  const me = await api("/api/v1/auth/me");
  const status = el("span", { role: "status", "aria-live": "polite" });
  let timer;
  const show = (v) => {
    status.textContent = PREPARED_WORDS[v.status](v);
    clearTimeout(timer);
    if (v.status === "queued" || v.status === "generating") timer = setTimeout(poll, 1000);
  };
  const poll = () =>
    api(`/api/v1/prepared/${file.id}`)
      .then(show)
      .catch(() => {});
  onLeave(() => clearTimeout(timer));
  const box = el("p", { class: "facts prepared" }, status);
  if (me.role === "admin")
    box.prepend(
      el(
        "button",
        {
          class: "secondary",
          onclick: () =>
            api(`/api/v1/prepared/${file.id}`, { method: "POST" })
              .then(show)
              .catch((e) => (status.textContent = `Cannot prepare: ${e.message}`)),
        },
        "Prepare for streaming",
      ),
      " ",
    );
  await poll();
  return box;
}

// A signed link that VLC, mpv or a TV plays with no sign-in, for a day: copied when the
// browser allows it, and shown to copy by hand either way.
function linkForAnotherPlayer(file) {
  const out = el("input", {
    readonly: true,
    "aria-label": "Link for another player",
    hidden: true,
  });
  const status = el("span", { role: "status" });
  const make = async () => {
    try {
      const link = await api(`/api/v1/links/${file.id}`, { method: "POST", body: {} });
      out.value = link.url;
      out.hidden = false;
      out.select();
      const until = new Date(link.expires_at * 1000).toLocaleString();
      await navigator.clipboard
        .writeText(link.url)
        .then(() => (status.textContent = ` Copied; it works until ${until}.`))
        .catch(() => (status.textContent = ` Copy it from here; it works until ${until}.`));
    } catch (e) {
      status.textContent = ` No link: ${e.message}`;
    }
  };
  return el(
    "p",
    { class: "facts link" },
    el("button", { class: "secondary", onclick: make }, "Copy link for another player"),
    status,
    out,
  );
}

function renderUnplayable(item, file, why) {
  main.replaceChildren(
    el(
      "article",
      { class: "detail" },
      el("div", { class: "noposter" }),
      el(
        "div",
        {},
        el("h1", {}, item.title, item.year ? ` (${item.year})` : ""),
        el(
          "div",
          { class: "actions" },
          el("button", { disabled: true, "aria-describedby": "method" }, "Cannot play"),
        ),
        el("p", { class: "error", id: "method", role: "status" }, why),
        el("p", { class: "facts" }, file.name),
      ),
    ),
  );
}

// An administrator can have every episode of a show (or a season) prepared at once.
async function prepareAll(item) {
  const me = await api("/api/v1/auth/me");
  if (me.role !== "admin") return null;
  const status = el("span", { role: "status", "aria-live": "polite" });
  const ask = () =>
    api(`/api/v1/prepared/items/${item.id}`, { method: "POST" })
      .then((r) => (status.textContent = ` ${r.queued} episode(s) queued to be prepared.`))
      .catch((e) => (status.textContent = ` Cannot prepare: ${e.message}`));
  return el(
    "p",
    { class: "facts prepared" },
    el("button", { class: "secondary", onclick: ask }, "Prepare every episode for streaming"),
    status,
  );
}

// What a show's page offers to play: the episode in progress, else the first unwatched one
// after the last watched.
function nextUp(seasons) {
  const eps = seasons.flatMap((s) => s.episodes).filter((e) => e.files.length);
  const name = (e) =>
    `S${String(e.season).padStart(2, "0")}E${String(e.episode).padStart(2, "0")} ${e.title}`;
  const going = eps.find((e) => !e.files[0].watched && e.files[0].resume_position > 0);
  if (going) return { e: going, t: going.files[0].resume_position, label: `Resume ${name(going)}` };
  const last = eps.map((e) => e.files[0].watched).lastIndexOf(true);
  const next = eps.slice(last + 1).find((e) => !e.files[0].watched);
  if (!next) return null;
  return { e: next, t: 0, label: `${last < 0 ? "Play" : "Play next episode:"} ${name(next)}` };
}

async function renderShow(item) {
  const seasons = item.kind === "show" ? item.seasons : [item];
  const up = nextUp(seasons);
  main.replaceChildren(
    el("h1", {}, item.title),
    up
      ? el(
          "div",
          { class: "actions" },
          el(
            "button",
            { onclick: () => go(`/play/${up.e.files[0].id}?item=${up.e.id}&t=${up.t}`) },
            up.label,
          ),
        )
      : "",
    await prepareAll(item),
    ...seasons
      .map((s) => [
        el("h2", {}, s.title),
        el(
          "ul",
          { class: "episodes" },
          s.episodes.map((e) => {
            const f = e.files[0];
            const pct = Math.round(f.percent);
            return el(
              "li",
              {},
              el(
                "a",
                { href: `/item/${e.id}`, "data-link": true, "data-file": f.id },
                el("span", {}, `${e.episode}. ${e.title}`),
                f.watched
                  ? el("span", { class: "badge", style: "position:static" }, "✓ Watched")
                  : el(
                      "span",
                      { class: "progress", "aria-label": `${pct} % watched` },
                      el("span", { style: `width:${pct}%` }),
                    ),
              ),
            );
          }),
        ),
      ])
      .flat(),
  );
}
