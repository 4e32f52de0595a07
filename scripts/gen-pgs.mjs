// Writes a PGS (Blu-ray, .sup) subtitle stream: image subtitles, which ffmpeg can decode and
// mux but not make from text. A cue every 3 s from 1 s on, 1.5 s long, as gen-media.sh's text
// cues: a white box with a black edge across the bottom third of the picture, a third of its
// width, with a black notch per cue number (1 to 5, then again) so that cues tell apart.
//
//   node gen-pgs.mjs OUT.sup WIDTH HEIGHT SECONDS
//
// The format (segments of "PG", PTS, DTS, type, size) is the one described by the Blu-ray
// spec's presentation graphics: a display set is a composition (PCS), a window (WDS), a
// palette (PDS), the picture run-length coded (ODS) and an end; an empty composition clears.
import { writeFileSync } from "node:fs";

const [out, w, h, seconds] = process.argv.slice(2);
const width = Number(w);
const height = Number(h);
const duration = Number(seconds);
if (!out || !(width > 0) || !(height > 0) || !(duration > 0)) {
  console.error("usage: gen-pgs.mjs OUT.sup WIDTH HEIGHT SECONDS");
  process.exit(2);
}

const PDS = 0x14;
const ODS = 0x15;
const PCS = 0x16;
const WDS = 0x17;
const END = 0x80;

function segment(pts, type, body) {
  const head = Buffer.alloc(13);
  head.write("PG", 0, "latin1");
  head.writeUInt32BE(pts, 2);
  head.writeUInt32BE(pts, 6);
  head.writeUInt8(type, 10);
  head.writeUInt16BE(body.length, 11);
  return Buffer.concat([head, body]);
}

function u16(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

// The box: palette entry 1 is white, 2 black, 0 transparent.
const bw = Math.max(8, Math.round(width / 3) & ~1);
const bh = Math.max(8, Math.round(height / 8) & ~1);
const bx = Math.round((width - bw) / 2);
const by = height - bh - Math.round(height / 16);
const edge = Math.max(1, Math.round(bh / 12));

function pixel(x, y, cue) {
  if (x < edge || y < edge || x >= bw - edge || y >= bh - edge) return 2;
  // Notches: (cue - 1) % 5 + 1 black squares along the top.
  const notch = Math.round(bh / 4);
  const k = Math.floor((x - 2 * edge) / (2 * notch));
  const inNotch = (x - 2 * edge) % (2 * notch) < notch;
  if (y >= 2 * edge && y < 2 * edge + notch && inNotch && k >= 0 && k < ((cue - 1) % 5) + 1)
    return 2;
  return 1;
}

// One line in PGS run-length code, then the end-of-line mark.
function rleLine(y, cue) {
  const bytes = [];
  let x = 0;
  while (x < bw) {
    const c = pixel(x, y, cue);
    let n = 1;
    while (x + n < bw && n < 16383 && pixel(x + n, y, cue) === c) n++;
    if (c !== 0 && n < 3) {
      for (let i = 0; i < n; i++) bytes.push(c);
    } else if (c === 0) {
      bytes.push(0, ...(n < 64 ? [n] : [0x40 | (n >> 8), n & 0xff]));
    } else {
      bytes.push(0, ...(n < 64 ? [0x80 | n] : [0xc0 | (n >> 8), n & 0xff]), c);
    }
    x += n;
  }
  bytes.push(0, 0);
  return bytes;
}

function composition(number, state, objects) {
  const body = [u16(width), u16(height), Buffer.from([0x10]), u16(number)];
  body.push(Buffer.from([state, 0, 0, objects ? 1 : 0]));
  if (objects) body.push(u16(0), Buffer.from([0, 0]), u16(bx), u16(by));
  return Buffer.concat(body);
}

const windowDef = Buffer.concat([Buffer.from([1, 0]), u16(bx), u16(by), u16(bw), u16(bh)]);
const palette = Buffer.from([0, 0, 1, 235, 128, 128, 255, 2, 16, 128, 128, 255]);

// An empty screen at 0, so that the stream starts with the video (ffmpeg moves an input's
// first timestamp to 0).
let number = 0;
const parts = [
  segment(0, PCS, composition(number++, 0x80, false)),
  segment(0, WDS, windowDef),
  segment(0, END, Buffer.alloc(0)),
];
for (let t = 1, cue = 1; t < duration; t += 3, cue++) {
  const on = Math.round(t * 90000);
  const off = Math.round((t + 1.5) * 90000);
  const rle = [];
  for (let y = 0; y < bh; y++) rle.push(...rleLine(y, cue));
  const size = rle.length + 4;
  const object = Buffer.concat([
    u16(0),
    Buffer.from([0, 0xc0, size >> 16, (size >> 8) & 0xff, size & 0xff]),
    u16(bw),
    u16(bh),
    Buffer.from(rle),
  ]);
  parts.push(
    segment(on, PCS, composition(number++, 0x80, true)),
    segment(on, WDS, windowDef),
    segment(on, PDS, palette),
    segment(on, ODS, object),
    segment(on, END, Buffer.alloc(0)),
    segment(off, PCS, composition(number++, 0x00, false)),
    segment(off, WDS, windowDef),
    segment(off, END, Buffer.alloc(0)),
  );
}
writeFileSync(out, Buffer.concat(parts));
