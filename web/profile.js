// What this browser can play, in the shape of Reel's device profile (docs/streaming.md):
// as a file (canPlayType, MediaSource.isTypeSupported), and inside HLS segments, asked of
// MediaSource.isTypeSupported with the full codec strings Reel writes in its playlists.
// What hls.js appends to the browser is fMP4 either way: it unpacks MPEG-TS itself, so TS
// segments take what fMP4 takes, plus MP3, which it hands over as audio/mpeg.

const H264 = {
  codec: "h264",
  profiles: ["constrained baseline", "baseline", "main", "high"],
  max_level: 51,
  max_bit_depth: 8,
};

function fileLists(can, video) {
  const containers = [];
  if (video.canPlayType("video/mp4")) containers.push("mp4", "m4v");
  if (video.canPlayType("video/webm")) containers.push("webm");
  if (video.canPlayType("video/quicktime")) containers.push("mov");

  const v = [];
  if (can('video/mp4; codecs="avc1.640033"')) {
    const high10 = can('video/mp4; codecs="avc1.6E0033"');
    v.push({
      ...H264,
      profiles: H264.profiles.concat(high10 ? ["high 10"] : []),
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

// Inside fMP4 segments, through Media Source Extensions only.
function hlsLists() {
  const mse = (type) => Boolean(window.MediaSource && MediaSource.isTypeSupported(type));
  const video = [];
  if (mse('video/mp4; codecs="avc1.640033"')) video.push(H264);
  if (mse('video/mp4; codecs="hvc1.2.4.L153.B0"'))
    video.push({ codec: "hevc", profiles: ["main", "main 10"] });
  else if (mse('video/mp4; codecs="hvc1.1.6.L120.B0"'))
    video.push({ codec: "hevc", profiles: ["main"], max_bit_depth: 8 });
  if (mse('video/mp4; codecs="av01.0.08M.08"')) video.push({ codec: "av1", max_bit_depth: 8 });
  if (mse('video/mp4; codecs="vp09.00.40.08"')) video.push({ codec: "vp9", max_bit_depth: 8 });
  const audio = [];
  const kinds = [
    ["aac", "mp4a.40.2"],
    ["mp3", "mp4a.6B"],
    ["opus", "Opus"],
    ["flac", "fLaC"],
    ["ac3", "ac-3"],
    ["eac3", "ec-3"],
  ];
  for (const [codec, string] of kinds)
    if (mse(`audio/mp4; codecs="${string}"`)) audio.push({ codec, max_channels: 2 });
  const fmp4 = { video, audio };
  const ts = {
    video: video.filter((c) => c.codec === "h264" || c.codec === "hevc"),
    audio: audio
      .filter((c) => ["aac", "ac3", "eac3"].includes(c.codec))
      .concat(mse("audio/mpeg") ? [{ codec: "mp3", max_channels: 2 }] : []),
  };
  return { fmp4, ts };
}

// The HLS segments asked for: the server's choice, fMP4 unless a transcode can go in MPEG-TS,
// which hls.js plays as it arrives (the first segment of an encoder comes part by part).
export const SEGMENTS = "auto";

export function deviceProfile() {
  const video = document.createElement("video");
  const can = (type) =>
    (window.MediaSource && MediaSource.isTypeSupported(type)) ||
    video.canPlayType(type) === "probably";
  // A screen that shows HDR gets HDR10 and HLG as they are; any other gets them tone-mapped.
  const hdr = window.matchMedia?.("(dynamic-range: high)").matches ?? false;
  return { ...fileLists(can, video), hls: hlsLists(), hdr };
}
