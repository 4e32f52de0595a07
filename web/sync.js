// Live sync: progress saved on another device updates what is on screen.
import { setProgress } from "/library.js";

let events = null;

export function listen() {
  if (events) return;
  events = new EventSource("/api/v1/events");
  events.addEventListener("progress", (e) => {
    const p = JSON.parse(e.data);
    for (const card of document.querySelectorAll(`[data-file="${p.file_id}"]`))
      setProgress(card, p);
    document.dispatchEvent(new CustomEvent("reel-progress", { detail: p }));
  });
}

export function stopListening() {
  if (events) {
    events.close();
    events = null;
  }
}
