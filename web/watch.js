// The player page, with the next episode of a show.
import { api } from "/api.js";
import { Player } from "/player.js";
import { go, main, onLeave } from "/router.js";

export async function renderPlayer(fileId) {
  const params = new URLSearchParams(location.search);
  const itemId = +params.get("item");
  const player = new Player(main, fileId, +params.get("t") || 0, {
    back: () => go(itemId ? `/item/${itemId}` : "/"),
    next: await nextEpisode(itemId),
  });
  onLeave(() => player.destroy());
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
  return n
    ? {
        fileId: n.files[0].id,
        itemId: n.id,
        title: n.title,
        play: () => go(`/play/${n.files[0].id}?item=${n.id}&t=0`),
      }
    : null;
}
