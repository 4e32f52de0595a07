// Reads what an HLS server serves as a strict client would, and says what is wrong with it
// against RFC 8216 and the promises in docs/internals/hls.md. Used by hls.test.mjs.
//
// fMP4 segments are read box by box (moof/traf/tfhd/tfdt/trun, and the init segment's
// moov/trak/mdhd/stsd/mvex/trex), MPEG-TS segments packet by packet (PAT, PMT, PES
// timestamps), so that nothing a demuxer would smooth over is hidden; ffprobe counts the
// audio frames inside MPEG-TS PES packets.

import { execFileSync } from "node:child_process";

const u32 = (b, o) => b.readUInt32BE(o);
const u64 = (b, o) => b.readBigUInt64BE(o);

// The boxes in b[start, end): [{type, start (of the payload), end}].
function boxes(b, start = 0, end = b.length) {
  const out = [];
  for (let o = start; o + 8 <= end;) {
    let size = u32(b, o);
    const type = b.toString("latin1", o + 4, o + 8);
    let header = 8;
    if (size === 1) {
      size = Number(u64(b, o + 8));
      header = 16;
    } else if (size === 0) size = end - o;
    if (size < header || o + size > end) throw new Error(`a truncated ${type} box at ${o}`);
    out.push({ type, start: o + header, end: o + size });
    o += size;
  }
  return out;
}
const child = (b, box, type) => boxes(b, box.start, box.end).find((x) => x.type === type);
const path = (b, box, ...types) => types.reduce((x, t) => x && child(b, x, t), box);

// The tracks of an init segment: track id -> {timescale, handler, entry (sample entry
// type), codec (RFC 6381 string as far as the entry tells), defaultDuration}.
export function readInit(b) {
  const tracks = new Map();
  const moov = boxes(b).find((x) => x.type === "moov");
  if (!moov) throw new Error("the init segment has no moov");
  for (const trak of boxes(b, moov.start, moov.end).filter((x) => x.type === "trak")) {
    const tkhd = child(b, trak, "tkhd");
    const id = u32(b, tkhd.start + (b[tkhd.start] === 1 ? 20 : 12));
    const mdhd = path(b, trak, "mdia", "mdhd");
    const timescale = u32(b, mdhd.start + (b[mdhd.start] === 1 ? 20 : 12));
    const hdlr = path(b, trak, "mdia", "hdlr");
    const handler = b.toString("latin1", hdlr.start + 8, hdlr.start + 12);
    const stsd = path(b, trak, "mdia", "minf", "stbl", "stsd");
    const entry = boxes(b, stsd.start + 8, stsd.end)[0];
    tracks.set(id, { timescale, handler, entry: entry.type, codec: codecOf(b, entry) });
  }
  const mvex = child(b, moov, "mvex");
  for (const trex of mvex ? boxes(b, mvex.start, mvex.end) : [])
    if (trex.type === "trex") {
      const t = tracks.get(u32(b, trex.start + 4));
      if (t) t.defaultDuration = u32(b, trex.start + 12);
    }
  return tracks;
}

// The codec string a sample entry implies (profile and level for H.264 from avcC).
function codecOf(b, entry) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(2, "0");
  if (entry.type === "avc1" || entry.type === "avc3") {
    // A visual sample entry is 78 bytes before its child boxes.
    const avcC = boxes(b, entry.start + 78, entry.end).find((x) => x.type === "avcC");
    const p = avcC.start;
    return `${entry.type}.${hex(b[p + 1])}${hex(b[p + 2])}${hex(b[p + 3])}`;
  }
  return (
    { mp4a: "mp4a.40", "ac-3": "ac-3", "ec-3": "ec-3", Opus: "opus", fLaC: "fLaC" }[entry.type] ||
    entry.type
  );
}

// One media segment: per track id, {tfdt (in the track's timescale, as a BigInt), samples,
// duration (sum of sample durations), ctsMin (the smallest composition offset)}.
export function readFragment(b, tracks) {
  const out = new Map();
  for (const moof of boxes(b).filter((x) => x.type === "moof"))
    for (const traf of boxes(b, moof.start, moof.end).filter((x) => x.type === "traf")) {
      const tfhd = child(b, traf, "tfhd");
      const flags = u32(b, tfhd.start) & 0xffffff;
      const id = u32(b, tfhd.start + 4);
      let o = tfhd.start + 8;
      if (flags & 0x1) o += 8;
      if (flags & 0x2) o += 4;
      const track = tracks.get(id);
      let defaultDuration = track?.defaultDuration ?? 0;
      if (flags & 0x8) defaultDuration = u32(b, o);
      const tfdt = child(b, traf, "tfdt");
      if (!tfdt) throw new Error(`track ${id} has a fragment without tfdt`);
      const base = b[tfdt.start] === 1 ? u64(b, tfdt.start + 4) : BigInt(u32(b, tfdt.start + 4));
      const t = out.get(id) || { tfdt: base, samples: 0, duration: 0, ctsMin: Infinity };
      out.set(id, t);
      for (const trun of boxes(b, traf.start, traf.end).filter((x) => x.type === "trun")) {
        const tf = u32(b, trun.start) & 0xffffff;
        const version = b[trun.start];
        const count = u32(b, trun.start + 4);
        let p = trun.start + 8;
        if (tf & 0x1) p += 4;
        if (tf & 0x4) p += 4;
        for (let i = 0; i < count; i++) {
          let d = defaultDuration;
          if (tf & 0x100) ((d = u32(b, p)), (p += 4));
          if (tf & 0x200) p += 4;
          if (tf & 0x400) p += 4;
          if (tf & 0x800) {
            const c = version === 1 ? b.readInt32BE(p) : u32(b, p);
            t.ctsMin = Math.min(t.ctsMin, c);
            p += 4;
          }
          t.duration += d;
        }
        t.samples += count;
      }
      if (t.ctsMin === Infinity) t.ctsMin = 0;
    }
  return out;
}

// One MPEG-TS segment: {first: the PIDs of its first two packets, streams: per kind
// ("video", "audio") {firstPts, firstDts, minPts, lastPts, count}} in seconds (90 kHz).
export function readTs(b) {
  if (b.length % 188 !== 0) throw new Error(`${b.length} bytes is not a whole number of packets`);
  const pid = (o) => ((b[o + 1] & 0x1f) << 8) | b[o + 2];
  const first = [pid(0), b.length > 188 ? pid(188) : -1];
  const ts = (o) =>
    ((b[o] & 0x0e) * 2 ** 29 + b[o + 1] * 2 ** 22 + (b[o + 2] & 0xfe) * 2 ** 14) / 90000 +
    (b[o + 3] * 2 ** 7 + (b[o + 4] >> 1)) / 90000;
  const streams = new Map();
  const kinds = new Map(); // PID -> "video" | "audio", from the PMT
  let pmt = -1;
  for (let o = 0; o < b.length; o += 188) {
    if (b[o] !== 0x47) throw new Error(`no sync byte at ${o}`);
    if (!(b[o + 1] & 0x40)) continue; // not the start of a section or PES
    const p = pid(o);
    let q = o + 4;
    if (b[o + 3] & 0x20) q += 1 + b[q];
    if (p === 0 || p === pmt) {
      const t = q + 1 + b[q]; // after the pointer field
      const end = t + 3 + (((b[t + 1] & 0x0f) << 8) | b[t + 2]) - 4;
      if (p === 0) pmt = ((b[t + 10] & 0x1f) << 8) | b[t + 11];
      else
        for (let e = t + 12 + (((b[t + 10] & 0x0f) << 8) | b[t + 11]); e < end;) {
          const video = [0x01, 0x02, 0x10, 0x1b, 0x24].includes(b[e]);
          kinds.set(((b[e + 1] & 0x1f) << 8) | b[e + 2], video ? "video" : "audio");
          e += 5 + (((b[e + 3] & 0x0f) << 8) | b[e + 4]);
        }
      continue;
    }
    if (p < 0x20 || b[q] !== 0 || b[q + 1] !== 0 || b[q + 2] !== 1) continue;
    const flags = b[q + 7] >> 6;
    if (!(flags & 2)) continue;
    const pts = ts(q + 9);
    const dts = flags === 3 ? ts(q + 14) : pts;
    const s = streams.get(p) || { firstPts: pts, firstDts: dts, minPts: pts, count: 0 };
    s.minPts = Math.min(s.minPts, pts);
    s.lastPts = pts;
    s.count++;
    streams.set(p, s);
  }
  const byKind = new Map();
  for (const [p, st] of streams) byKind.set(kinds.get(p) ?? `pid ${p}`, st);
  return { first, streams: byKind };
}

// The presentation times of the audio frames in an MPEG-TS segment.
function audioFrames(b) {
  const out = execFileSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-show_entries",
      "packet=pts_time",
      "-of",
      "csv=p=0",
      "-",
    ],
    { input: b },
  );
  return String(out)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => parseFloat(l));
}

// A playlist's lines parsed: {tags: [[name, value]], segments: [{duration, uri}], attrs}.
export function parsePlaylist(text) {
  const lines = text.split("\n").map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw new Error("a playlist must start with #EXTM3U");
  const out = { tags: [], segments: [], variants: [] };
  let extinf = null;
  let inf = null;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (line.startsWith("#EXTINF:")) extinf = parseFloat(line.slice(8));
    else if (line.startsWith("#EXT-X-STREAM-INF:")) inf = attributes(line.slice(18));
    else if (line.startsWith("#")) {
      const [name, ...rest] = line.split(":");
      out.tags.push([name, rest.join(":")]);
    } else if (inf) (out.variants.push({ ...inf, uri: line }), (inf = null));
    else (out.segments.push({ duration: extinf, uri: line }), (extinf = null));
  }
  return out;
}

function attributes(s) {
  const out = {};
  for (const m of s.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1]] = m[2].replace(/"/g, "");
  return out;
}

// The peak segment bit rate of RFC 8216 section 4.3.4.2: the largest bit rate of any run of
// contiguous segments whose total duration is between 0.5 and 1.5 times the target.
export function peakBitrate(sizes, durations, target) {
  let peak = 0;
  for (let i = 0; i < sizes.length; i++) {
    let bytes = 0;
    let d = 0;
    for (let j = i; j < sizes.length && d < 1.5 * target; j++) {
      bytes += sizes[j];
      d += durations[j];
      if (d >= 0.5 * target && d <= 1.5 * target) peak = Math.max(peak, (bytes * 8) / d);
    }
  }
  return peak;
}

// Reads a media playlist and its segments (in the order given, by default from the first),
// as {target, init (tracks of the init segment, fMP4 only), segments: [{extinf, size,
// first (TS: PIDs of the first packets), tracks: {video, audio: {start, end (fMP4),
// samples}}}]}, with times in seconds. get(url) answers a Buffer.
export async function readRendition(get, url, order) {
  const pl = parsePlaylist((await get(url)).toString());
  const target = Number(pl.tags.find(([t]) => t === "#EXT-X-TARGETDURATION")?.[1]);
  const map = pl.tags.find(([t]) => t === "#EXT-X-MAP")?.[1];
  const resolve = (uri) => new URL(uri, url).href;
  const init = map ? readInit(await get(resolve(attributes(map).URI))) : null;
  const segments = pl.segments.map((s) => ({ extinf: s.duration, uri: s.uri }));
  for (const i of order ?? segments.keys()) {
    const seg = segments[i];
    const b = await get(resolve(seg.uri));
    seg.size = b.length;
    seg.tracks = {};
    if (init) {
      for (const [id, f] of readFragment(b, init)) {
        const t = init.get(id);
        const kind = t.handler === "vide" ? "video" : "audio";
        const start = Number(f.tfdt) / t.timescale;
        seg.tracks[kind] = {
          tfdt: f.tfdt,
          start,
          end: start + f.duration / t.timescale,
          samples: f.samples,
        };
      }
    } else {
      const ts = readTs(b);
      seg.first = ts.first;
      const video = ts.streams.get("video");
      if (video) seg.tracks.video = { start: video.minPts, samples: video.count };
      // A PES holds several audio frames: ffprobe's parsers count the frames themselves.
      const audio = audioFrames(b);
      if (audio.length) seg.tracks.audio = { start: audio[0], samples: audio.length };
    }
  }
  return { target, init, segments };
}

// What is wrong with a rendition read linearly, as a list of sentences. duration: the
// title's length, to check the last segment against.
export function faults(r, duration) {
  const out = [];
  const segs = r.segments;
  let at = 0;
  const longest = Math.max(...segs.map((s) => s.extinf));
  if (Math.round(longest) > r.target)
    out.push(`EXT-X-TARGETDURATION ${r.target} is below a ${longest} s segment`);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    for (const [kind, t] of Object.entries(s.tracks)) {
      if (t.tfdt !== undefined && t.tfdt >= 2n ** 63n)
        out.push(`segment ${i}: the ${kind} tfdt is negative (${t.tfdt - 2n ** 64n})`);
      const next = segs[i + 1]?.tracks[kind];
      // The media of each track runs on without a gap or an overlap into the next segment.
      if (next && t.end !== undefined && Math.abs(next.start - t.end) > 0.001)
        out.push(
          `segment ${i}: ${kind} ends at ${t.end.toFixed(3)} s, segment ${i + 1} starts at ${next.start.toFixed(3)} s`,
        );
    }
    const v = s.tracks.video ?? s.tracks.audio;
    const nextStart = segs[i + 1]?.tracks.video?.start ?? segs[i + 1]?.tracks.audio?.start;
    const origin = segs[0].tracks.video?.start ?? segs[0].tracks.audio.start;
    const real = i + 1 < segs.length ? nextStart - v.start : (v.end ?? origin + duration) - v.start;
    if (Math.abs(real - s.extinf) > 0.1)
      out.push(`segment ${i}: EXTINF ${s.extinf} s for ${real.toFixed(3)} s of media`);
    if (Math.abs(v.start - origin - at) > 0.1)
      out.push(
        `segment ${i}: starts at ${(v.start - origin).toFixed(3)} s, the playlist says ${at.toFixed(3)} s`,
      );
    if (s.first && s.first[0] !== 0)
      out.push(`segment ${i}: the first packet is PID ${s.first[0]}, not the PAT`);
    at += s.extinf;
  }
  return out;
}

// Where a seek run's segments differ from the same segments of a linear run.
// Times agree within tolerance seconds; sample counts must agree when it is below 10 ms.
export function differences(linear, seek, indices, tolerance = 0.001) {
  const out = [];
  for (const i of indices)
    for (const [kind, a] of Object.entries(linear.segments[i].tracks)) {
      const b = seek.segments[i].tracks[kind];
      if (!b) out.push(`segment ${i}: no ${kind} in the seek run`);
      else if (
        Math.abs(a.start - b.start) > tolerance ||
        (tolerance < 0.01 && a.samples !== b.samples)
      )
        out.push(
          `segment ${i}: ${kind} starts at ${b.start.toFixed(3)} s with ${b.samples} samples ` +
            `after a seek, ${a.start.toFixed(3)} s with ${a.samples} in a linear run`,
        );
    }
  return out;
}
