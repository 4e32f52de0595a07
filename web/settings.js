// The settings page: which audio and subtitles play by default. A choice made while
// watching an episode wins for the rest of its show.
import { api } from "/api.js";
import { el } from "/dom.js";
import { main } from "/router.js";

const LANGUAGES = [
  ["", "The file's default"],
  ["en", "English"],
  ["fr", "French"],
  ["de", "German"],
  ["es", "Spanish"],
  ["it", "Italian"],
  ["pt", "Portuguese"],
  ["nl", "Dutch"],
  ["sv", "Swedish"],
  ["pl", "Polish"],
  ["ru", "Russian"],
  ["ja", "Japanese"],
  ["zh", "Chinese"],
  ["ko", "Korean"],
];

function languageSelect(name, value, none) {
  const known = LANGUAGES.some(([code]) => code === value);
  return el(
    "select",
    { name },
    ...LANGUAGES.map(([code, label]) =>
      el("option", { value: code, selected: code === value }, code ? label : none),
    ),
    known ? null : el("option", { value, selected: true }, value),
  );
}

export async function renderSettings() {
  const p = await api("/api/v1/me/preferences");
  const status = el("p", { role: "status" });
  const form = el(
    "form",
    { class: "settings", "aria-label": "Playback settings" },
    el("h1", {}, "Playback settings"),
    el(
      "label",
      {},
      "Audio language",
      languageSelect("audio_language", p.audio_language, "The file's default"),
    ),
    el(
      "label",
      {},
      "Subtitle language",
      languageSelect("subtitle_language", p.subtitle_language, "None"),
    ),
    el(
      "label",
      {},
      "Show subtitles",
      el(
        "select",
        { name: "subtitle_mode" },
        ...[
          ["off", "Never"],
          ["forced", "Forced only (signs and foreign dialogue)"],
          ["always", "Always"],
        ].map(([v, label]) => el("option", { value: v, selected: v === p.subtitle_mode }, label)),
      ),
    ),
    el("button", { type: "submit" }, "Save"),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.textContent = "";
    try {
      await api("/api/v1/me/preferences", {
        method: "PUT",
        body: Object.fromEntries(new FormData(form)),
      });
      status.textContent = "Saved.";
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
    }
  });
  main.replaceChildren(form);
}
