// Reel's HLS read as strict clients read it: every title of the test library, in fMP4 and
// MPEG-TS segments, walked playlist by playlist and segment by segment (hls-walk.mjs), and
// played by ffmpeg, mpv and GStreamer's playbin3 from Debian. Seeking inside fMP4 HLS is
// broken in ffmpeg 5.1 itself (for ffmpeg's own playlists too), so mpv seeks on MPEG-TS
// segments; GStreamer seeks on both.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { startServer, stopServer } from "./server.mjs";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { readRendition, faults, differences, parsePlaylist, peakBitrate } from "./hls-walk.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = process.env.REEL_BINARY || join(root, "build", "reel");
const work = mkdtempSync(join(tmpdir(), "reel-hls-"));
const library = join(work, "library");
const PASSWORD = "hls-password-1";
// A client that plays nothing as a file, H.264 and AAC/AC-3/MP3 in segments: every title
// goes through HLS, most as a remux.
const profile = {
  containers: ["none"],
  video: [{ codec: "h264" }],
  audio: [{ codec: "aac" }],
  hls: {
    fmp4: { video: [{ codec: "h264" }], audio: [{ codec: "aac" }, { codec: "flac" }] },
    ts: {
      video: [{ codec: "h264" }],
      audio: [{ codec: "aac" }, { codec: "ac3" }, { codec: "mp3" }],
    },
  },
};
let server, base, token, movies, files;
const figures = {};

// mpv from Debian, headless, with the token on every request: plays url from start (a
// percentage) to the end; its verbose log says where it resumed and what it decoded.
const playMpv = (url, start) =>
  spawnSync(
    "mpv",
    [
      "--no-config",
      "--ytdl=no",
      "--vo=null",
      "--ao=null",
      "-v",
      `--http-header-fields=Authorization: Bearer ${token}`,
      `--start=${start}`,
      url,
    ],
    { encoding: "utf8", timeout: 120000 },
  );

// What ffprobe prints of the first video stream.
const probe = (args) =>
  execFileSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-of", "csv=p=0", ...args], {
    encoding: "utf8",
    timeout: 120000,
  }).trim();

const get = async (url) => {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
};

async function open(file, segments) {
  const r = await fetch(`${base}/api/v1/playback/${file}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ profile, segments }),
  });
  assert.equal(r.status, 200);
  const d = await r.json();
  const master = parsePlaylist((await get(`${base}${d.url}`)).toString());
  return {
    d,
    master,
    end: () =>
      fetch(`${base}/api/v1/hls/${d.session_id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      }),
  };
}

before(async () => {
  execFileSync(join(root, "scripts", "gen-media.sh"), [library, "--tiny"], { stdio: "ignore" });
  ({ child: server, url: base } = await startServer({
    binary,
    data: join(work, "data"),
    library,
    password: PASSWORD,
  }));
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  token = (await login.json()).token;
  for (let i = 0; i < 300; i++) {
    const scan = JSON.parse(await get(`${base}/api/v1/library/scan`));
    if (scan.state === "idle" && scan.finished_at) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  files = readdirSync(library, { recursive: true }).map((p) => join(library, p));
  movies = JSON.parse(await get(`${base}/api/v1/library/items`)).movies.filter(
    (m) => !m.files[0].error,
  );
});

after(async () => {
  for (const line of figures.gst ?? []) console.log(`gstreamer: ${line}`);
  if (server) await stopServer(server);
  rmSync(work, { recursive: true, force: true });
});

test("every playlist and segment of every title conforms, and seek runs match linear ones", async () => {
  assert.ok(movies.length >= 12, `the test library has ${movies.length} titles`);
  const problems = [];
  for (const m of movies) {
    const f = m.files[0];
    for (const segments of ["fmp4", "ts"]) {
      const what = `${m.title} (${segments})`;
      const linear = await open(f.id, segments);
      const variant = linear.master.variants[0];
      const url = new URL(variant.uri, base).href;
      const lin = await readRendition(get, url);
      for (const p of faults(lin, f.duration)) problems.push(`${what}: ${p}`);
      // BANDWIDTH is at least the peak segment bit rate RFC 8216 defines.
      const peak = peakBitrate(
        lin.segments.map((s) => s.size),
        lin.segments.map((s) => s.extinf),
        lin.target,
      );
      if (Number(variant.BANDWIDTH) < peak)
        problems.push(
          `${what}: BANDWIDTH ${variant.BANDWIDTH} is below the peak ${Math.round(peak)}`,
        );
      // CODECS names what the init segment holds.
      if (lin.init)
        for (const t of lin.init.values())
          if (!variant.CODECS.split(",").some((c) => c.startsWith(t.codec)))
            problems.push(
              `${what}: CODECS="${variant.CODECS}" but the init segment holds ${t.codec}`,
            );
      await linear.end();
      // A new session asked first for a segment at 60 % makes the same chunks.
      const k = Math.floor(lin.segments.length * 0.6);
      const seek = await open(f.id, segments);
      const indices = [k, k + 1].filter((i) => i < lin.segments.length);
      const sk = await readRendition(get, new URL(seek.master.variants[0].uri, base).href, indices);
      // In MPEG-TS transcodes, a seek run's first audio frame may be one AAC frame off
      // (docs/internals/hls.md); everything else is exact to the millisecond.
      const loose = segments === "ts" && linear.d.method === "transcode";
      for (const p of differences(lin, sk, indices, loose ? 0.025 : 0.001))
        problems.push(`${what}: ${p}`);
      await seek.end();
    }
  }
  assert.deepEqual(problems, []);
});

test("ffmpeg reads every title whole; mpv and GStreamer play and seek", async () => {
  const failures = [];
  for (const m of movies) {
    const f = m.files[0];
    const source = files.find((p) => p.endsWith(f.name));
    const want = Number(
      probe(["-count_packets", "-show_entries", "stream=nb_read_packets", source]),
    );
    const header = `Authorization: Bearer ${token}\r\n`;
    for (const segments of ["fmp4", "ts"]) {
      const session = await open(f.id, segments);
      const url = `${base}${session.d.url}`;
      try {
        const frames = probe([
          "-headers",
          header,
          "-count_frames",
          "-show_entries",
          "stream=nb_read_frames",
          url,
        ]);
        if (Math.abs(Number(frames) - want) > 1)
          failures.push(`${m.title} (${segments}): ffmpeg read ${frames} frames of ${want}`);
      } catch (e) {
        failures.push(
          `${m.title} (${segments}): ffmpeg: ${String(e.stderr || e.message).split("\n")[0]}`,
        );
      }
      // GStreamer's playbin3, with the cookie as a browser sends it: plays, seeks to 60 %
      // and plays on.
      const gst = spawnSync(join(root, "tests", "e2e", "gst-play.py"), [url, token], {
        encoding: "utf8",
        timeout: 60000,
      });
      if (gst.status !== 0)
        failures.push(`${m.title} (${segments}): GStreamer: ${(gst.stdout + gst.stderr).trim()}`);
      else figures.gst = [...(figures.gst ?? []), `${m.title} ${segments}: ${gst.stdout.trim()}`];
      await session.end();
    }
    const session = await open(f.id, "ts");
    // mpv from 60 %, on MPEG-TS segments: it resumes there and plays to the end.
    const mpv = playMpv(`${base}${session.d.url}`, "60%");
    const log = mpv.stdout + mpv.stderr;
    const start = Number(log.match(/playback restart complete @ ([\d.]+)/)?.[1] ?? NaN);
    if (mpv.status !== 0 || !log.includes("(End of file)"))
      failures.push(
        `${m.title}: mpv ended with ${mpv.status}: ${log.split("\n").slice(-3).join(" ")}`,
      );
    else if (!(Math.abs(start - f.duration * 0.6) < 1))
      failures.push(`${m.title}: mpv resumed at ${start} s of ${f.duration} s, not at 60 %`);
    await session.end();
  }
  // Named as a preset, mpv plays a DTS Matroska file as it is, from the unified endpoint.
  const dts = movies.find((m) => m.title === "Concert Hall").files[0];
  const plan = JSON.parse(await get(`${base}/api/v1/playback/${dts.id}?client=mpv`));
  assert.equal(plan.method, "direct_play");
  const direct = playMpv(`${base}/api/v1/stream/${dts.id}?client=mpv`, "50%");
  const said = direct.stdout + direct.stderr;
  assert.equal(direct.status, 0, said.split("\n").slice(-3).join(" "));
  assert.match(said, /\(dts 6ch|\(dca/i);
  assert.deepEqual(failures, []);
});
