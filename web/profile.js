// What this browser can play, asked of MediaSource.isTypeSupported and canPlayType, in the
// shape of Reel's device profile (see docs/streaming.md).
export function deviceProfile({ forceTranscode = false } = {}) {
  if (forceTranscode) return { containers: [], video: [], audio: [] };
  const video = document.createElement("video");
  const can = (type) =>
    (window.MediaSource && MediaSource.isTypeSupported(type)) ||
    video.canPlayType(type) === "probably";
  const containers = [];
  if (video.canPlayType("video/mp4")) containers.push("mp4", "m4v");
  if (video.canPlayType("video/webm")) containers.push("webm");
  if (video.canPlayType("video/quicktime")) containers.push("mov");

  const v = [];
  if (can('video/mp4; codecs="avc1.640033"')) {
    const high10 = can('video/mp4; codecs="avc1.6E0033"');
    v.push({
      codec: "h264",
      profiles: ["constrained baseline", "baseline", "main", "high"].concat(
        high10 ? ["high 10"] : [],
      ),
      max_level: 51,
      max_bit_depth: high10 ? 10 : 8,
    });
  }
  if (can('video/mp4; codecs="hvc1.2.4.L153.B0"'))
    v.push({ codec: "hevc", profiles: ["main", "main 10"] });
  else if (can('video/mp4; codecs="hvc1.1.6.L120.B0"'))
    v.push({ codec: "hevc", profiles: ["main"], max_bit_depth: 8 });
  if (can('video/webm; codecs="vp09.00.10.08"') || can('video/mp4; codecs="vp09.00.10.08"'))
    v.push({ codec: "vp9" });
  if (can('video/mp4; codecs="av01.0.05M.08"')) v.push({ codec: "av1" });

  const a = [];
  const audio = [
    ["aac", 'audio/mp4; codecs="mp4a.40.2"'],
    ["mp3", "audio/mpeg"],
    ["opus", 'audio/webm; codecs="opus"'],
    ["flac", "audio/flac"],
    ["ac3", 'audio/mp4; codecs="ac-3"'],
    ["eac3", 'audio/mp4; codecs="ec-3"'],
  ];
  for (const [codec, type] of audio)
    if (can(type) || video.canPlayType(type)) a.push({ codec, max_channels: 2 });
  return { containers, video: v, audio: a };
}
