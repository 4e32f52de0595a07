// The web app in real Chromium (Debian's, driven by playwright-core) against the real
// server and a generated library. Screenshots go to test-artifacts/. Prints the
// time-to-first-frame and seek figures.
//
// Chromium here cannot decode HEVC or E-AC-3, so the HEVC title plays through HLS
// transcoding to H.264/AAC, which is what the test checks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startServer as start, startS3rver, stopServer } from "./server.mjs";
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = process.env.REEL_BINARY || join(root, "build", "reel");
const artifacts = join(root, "test-artifacts");
const work = mkdtempSync(join(tmpdir(), "reel-e2e-"));
const library = join(work, "library");
const PASSWORD = "e2e-password-1";
let server, base, browser, s3rver, store;
const figures = {};

const startServer = (port = 0) =>
  start({
    binary,
    data: join(work, "data"),
    library,
    web: join(root, "web"),
    password: PASSWORD,
    port,
    // Prepared versions go to a bucket, so that the player fetches their segments from the
    // store through presigned URLs (tests/integration/test_prepared.c covers the folder).
    env: {
      REEL_S3_ENDPOINT: store,
      REEL_S3_BUCKET: "reel",
      REEL_S3_ACCESS_KEY: "S3RVER",
      REEL_S3_SECRET_KEY: "S3RVER",
    },
  });

async function apiAs(page, path, init) {
  return page.evaluate(
    async ([p, i]) => {
      const r = await fetch(p, i);
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [path, init || {}],
  );
}

async function signIn(page) {
  await page.goto(`${base}/`);
  await page.waitForURL("**/login");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector(".card");
}

// Records when a video starts playing, for the timings: the app itself ships no test hooks.
// Media events do not bubble, but a capturing listener on the document sees them.
function watchPlaying() {
  window.reelPlaying = [];
  document.addEventListener("playing", () => window.reelPlaying.push(performance.now()), true);
}

async function newPage(ctx = browser) {
  const page = await ctx.newPage();
  await page.addInitScript(watchPlaying);
  return page;
}

const videoTime = (page) => page.evaluate(() => document.querySelector("video")?.currentTime ?? -1);
const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });

async function fileIdOf(page, title) {
  const { body } = await apiAs(page, "/api/v1/library/items");
  return body.movies.find((m) => m.title === title).files[0].id;
}

// From pressing Play on the detail page to the first "playing" event, in seconds.
async function playFromDetail(page, title, button = "Play") {
  await page.goto(`${base}/`);
  await page.click(`.card:has-text("${title}")`);
  await page.waitForSelector("#method");
  await page.evaluate(() => {
    window.reelPlaying = [];
  });
  const t0 = await page.evaluate(() => performance.now());
  await page.click(`button:has-text("${button}")`);
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  const t1 = await page.evaluate(() => window.reelPlaying[0]);
  return (t1 - t0) / 1000;
}

// From a seek (a key press) to playing again, in seconds.
async function seekBy(page, key) {
  await page.evaluate(() => {
    window.reelPlaying = [];
  });
  const t0 = await page.evaluate(() => performance.now());
  await page.keyboard.press(key);
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  return ((await page.evaluate(() => window.reelPlaying[0])) - t0) / 1000;
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  // Two-minute titles; the HEVC one at 854x480 so that HLS offers two renditions.
  execFileSync(join(root, "scripts", "gen-media.sh"), [library, "--tiny"], {
    env: { ...process.env, REEL_MEDIA_SECONDS: "120" },
    stdio: "ignore",
  });
  // A file ffmpeg cannot read at all.
  writeFileSync(join(library, "Movies", "Broken (2019).mp4"), randomBytes(5000));
  const font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=854x480:rate=24:duration=120",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=120",
    "-vf",
    `drawtext=fontfile=${font}:fontsize=40:fontcolor=white:x=20:y=20:text='%{pts\\:hms}'`,
    "-af",
    "aformat=channel_layouts=5.1",
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p10le",
    "-x265-params",
    "log-level=error:keyint=48",
    "-c:a",
    "eac3",
    "-b:a",
    "384k",
    join(library, "Movies", "Deep Colour (2023).mkv"),
  ]);
  // Sidecar subtitles on a title that transcodes.
  copyFileSync(
    join(library, "Movies", "Quiet Room (2012).en.srt"),
    join(library, "Movies", "Deep Colour (2023).en.srt"),
  );
  ({ child: s3rver, endpoint: store } = await startS3rver(join(work, "s3"), root));
  ({ child: server, url: base } = await startServer());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  // Wait for the scan and its posters.
  const ctx = await browser.newContext();
  const page = await newPage(ctx);
  await signIn(page);
  for (let i = 0; i < 200; i++) {
    const { body } = await apiAs(page, "/api/v1/library/scan");
    if (body.state === "idle" && body.finished_at && body.posters_pending === 0) break;
    await page.waitForTimeout(100);
  }
  // And the scrubbing previews, which the scan queued: the tests time playback.
  for (let i = 0; i < 1200; i++) {
    const { body } = await apiAs(page, "/api/v1/tasks");
    if (body.tasks.length && body.tasks.every((t) => t.state === "done" || t.state === "failed"))
      break;
    await page.waitForTimeout(100);
  }
  await ctx.close();
});

after(async () => {
  await browser?.close();
  if (server) await stopServer(server);
  if (s3rver) await stopServer(s3rver);
  rmSync(work, { recursive: true, force: true });
  console.log("figures (seconds):", JSON.stringify(figures));
  if (figures.play_direct !== undefined)
    console.log(
      `time from Play to the first frame: direct ${figures.play_direct.toFixed(2)} s (aim <= 0.5), ` +
        `remux ${figures.play_remux.toFixed(2)} s (aim <= 1), transcode ${figures.play_transcode.toFixed(2)} s (aim <= 2)`,
    );
  if (figures.cue_after_seek_direct_play !== undefined)
    console.log(
      `time from a seek to its subtitle cue: direct ${figures.cue_after_seek_direct_play.toFixed(2)} s, ` +
        `remux ${figures.cue_after_seek_remux?.toFixed(2)} s, ` +
        `transcode ${figures.cue_after_seek_transcode?.toFixed(2)} s`,
    );
  if (figures.burn_in_switch !== undefined)
    console.log(
      `time from choosing image subtitles to playing them burnt in: ${figures.burn_in_switch.toFixed(2)} s`,
    );
  if (figures.audio_switch !== undefined)
    console.log(
      `time from choosing another audio track to playing it: ${figures.audio_switch.toFixed(2)} s`,
    );
  if (figures.seek_direct !== undefined)
    console.log(
      `time from a seek to playing again: direct ${figures.seek_direct.toFixed(2)} s, ` +
        `remux ${figures.seek_remux.toFixed(2)} s, transcode ${figures.seek_transcode.toFixed(2)} s`,
    );
});

test("1. sign in and see the grid with posters", async () => {
  const page = await newPage();
  await signIn(page);
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".card img")].some((i) => i.complete && i.naturalWidth > 0),
  );
  assert.ok((await page.locator(".grid .card").count()) >= 6);
  await shot(page, "1-library");
  await page.close();
});

test("2. an H.264/AAC MP4 plays directly, and its progress reaches the server", async () => {
  const page = await newPage();
  await signIn(page);
  figures.play_direct = await playFromDetail(page, "Test Pattern");
  assert.equal(await page.getAttribute(".player", "data-method"), "direct_play");
  const t = await videoTime(page);
  await page.waitForFunction((t0) => document.querySelector("video").currentTime > t0 + 1, t);
  figures.seek_direct = await seekBy(page, "5");
  await page.keyboard.press("k"); // pause: saves at once
  await page.waitForTimeout(500);
  await shot(page, "2-direct-play");
  const id = await fileIdOf(page, "Test Pattern");
  const { body } = await apiAs(page, `/api/v1/progress/${id}`);
  assert.ok(body.position > 50, `the server has position ${body.position}`);
  await page.close();
});

test("2b. the detail page gives a link that plays with no sign-in", async () => {
  const page = await newPage();
  await signIn(page);
  await page.goto(`${base}/`);
  await page.click(`.card:has-text("Test Pattern")`);
  await page.click(`button:has-text("Copy link for another player")`);
  const input = page.locator('input[aria-label="Link for another player"]');
  await input.waitFor({ state: "visible" });
  const url = await input.inputValue();
  assert.match(url, /\/s\/[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\.[A-Za-z0-9_-]{43}\/[0-9]+\/stream/);
  assert.match(await page.textContent(".link [role=status]"), /works until/);
  // Fetched as another player would: no cookie, no header.
  const r = await fetch(url, { headers: { Range: "bytes=0-1023" } });
  assert.equal(r.status, 206);
  assert.equal((await r.arrayBuffer()).byteLength, 1024);
  await page.close();
});

test("2c. an administrator prepares a title, which then plays from its prepared version", async () => {
  const page = await newPage();
  await signIn(page);
  await page.goto(`${base}/`);
  await page.click(`.card:has-text("Studio Tape")`);
  await page.click(`button:has-text("Prepare for streaming")`);
  await page.waitForFunction(
    () => /Prepared for streaming on/.test(document.querySelector(".prepared")?.textContent),
    null,
    { timeout: 60000 },
  );
  const id = await fileIdOf(page, "Studio Tape");
  const { body: plan } = await apiAs(page, `/api/v1/playback/${id}`);
  assert.equal(plan.prepared, true, JSON.stringify(plan));
  // Its segments come from the bucket, presigned, and not through Reel.
  const fromStore = [];
  page.on("requestfinished", async (r) => {
    if (r.url().startsWith(`${store}/reel/`) && r.url().includes("X-Amz-Signature="))
      fromStore.push((await r.response())?.status());
  });
  figures.play_prepared = await playFromDetail(page, "Studio Tape");
  assert.ok(fromStore.length > 0, "no segment came from the store");
  assert.ok(
    fromStore.every((s) => s === 200 || s === 206),
    JSON.stringify(fromStore),
  );
  await page.goto(`${base}/`);
  await page.waitForSelector(`.card:has-text("Studio Tape") .prepared`);
  await page.close();
});

test("2d. an administrator prepares every episode of a show at once", async () => {
  const page = await newPage();
  await signIn(page);
  await page.goto(`${base}/`);
  await page.click(`.card:has-text("Demo Show")`);
  await page.click(`button:has-text("Prepare every episode for streaming")`);
  await page.waitForFunction(() =>
    /\d+ episode\(s\) queued/.test(document.querySelector(".prepared [role=status]")?.textContent),
  );
  const { body } = await apiAs(page, "/api/v1/library/items");
  const show = body.shows.find((s) => s.title === "Demo Show");
  const { body: tree } = await apiAs(page, `/api/v1/library/items/${show.id}`);
  const files = tree.seasons.flatMap((s) => s.episodes.map((e) => e.files[0].id));
  assert.ok(files.length >= 2);
  for (const id of files) {
    const { body: v } = await apiAs(page, `/api/v1/prepared/${id}`);
    assert.notEqual(v.status, "none", `episode file ${id}`);
  }
  await page.close();
});

test("3. an HEVC/E-AC-3 MKV plays through HLS, seeks to 70 %, and switches quality", async () => {
  const page = await newPage();
  await signIn(page);
  figures.play_transcode = await playFromDetail(page, "Deep Colour");
  assert.equal(await page.getAttribute(".player", "data-method"), "transcode");
  // Seek to 70 %: playing again there within 3 s.
  figures.seek_transcode = await seekBy(page, "7");
  assert.ok(figures.seek_transcode < 3, `the seek took ${figures.seek_transcode} s`);
  const at = await videoTime(page);
  assert.ok(at >= 83 && at < 90, `after the seek the video is at ${at}`);
  await page.waitForFunction((t0) => document.querySelector("video").currentTime > t0 + 0.5, at);
  // Switch quality: playback goes on.
  const options = await page.$$eval("select[aria-label=Quality] option", (os) =>
    os.map((o) => o.value),
  );
  assert.ok(options.length >= 3, `quality choices: ${options}`);
  await page.selectOption("select[aria-label=Quality]", options[options.length - 1]);
  const before = await videoTime(page);
  await page.waitForFunction((t0) => document.querySelector("video").currentTime > t0 + 2, before, {
    timeout: 15000,
  });
  await page.keyboard.press("k");
  await page.waitForTimeout(500);
  await shot(page, "3-hls");
  await page.close();
});

test("4. after a reload, Resume starts at the saved position", async () => {
  const page = await newPage();
  await signIn(page);
  const id = await fileIdOf(page, "Deep Colour");
  const saved = (await apiAs(page, `/api/v1/progress/${id}`)).body.position;
  assert.ok(saved > 80, `saved position ${saved}`);
  await page.reload();
  await page.click('.card:has-text("Deep Colour")');
  const resume = page.locator("button", { hasText: "Resume from" });
  await resume.waitFor();
  await shot(page, "4-detail");
  await page.evaluate(() => {
    window.reelPlaying = [];
  });
  await resume.click();
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  const at = await videoTime(page);
  assert.ok(Math.abs(at - saved) <= 2, `resumed at ${at}, saved ${saved}`);
  await page.close();
});

test("5. the card shows the percent, and watched after 90 %", async () => {
  const page = await newPage();
  await signIn(page);
  const card = page.locator('.card:has-text("Deep Colour")').first();
  const label = await card.locator(".progress").getAttribute("aria-label");
  assert.match(label, /^\d+ % watched$/);
  await card.click();
  await page.click('button:has-text("Resume from")');
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  await page.keyboard.press("9");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector("video").currentTime > 109, null, {
    timeout: 10000,
  });
  await page.keyboard.press("k");
  await page.waitForTimeout(500);
  await page.goto(`${base}/`);
  await page.locator('.card:has-text("Deep Colour") .badge').first().waitFor();
  await shot(page, "5-watched");
  await page.close();
});

test("6. another device's card updates live", async () => {
  const tv = await newPage(await browser.newContext());
  const laptop = await newPage(await browser.newContext());
  await signIn(tv);
  await signIn(laptop);
  const id = await fileIdOf(tv, "Night Clock");
  figures.play_remux = await playFromDetail(laptop, "Night Clock");
  assert.equal(await laptop.getAttribute(".player", "data-method"), "remux");
  figures.seek_remux = await seekBy(laptop, "3");
  await laptop.keyboard.press("k");
  // No reload on the TV: the card changes through the event stream.
  await tv.waitForSelector(`.grid .card[data-file="${id}"] .progress`, { timeout: 5000 });
  await shot(tv, "6-live-update");
  await tv.context().close();
  await laptop.context().close();
});

test("7. with the server gone the player says so, and Retry plays again", async () => {
  const page = await newPage();
  await signIn(page);
  const id = await fileIdOf(page, "Deep Colour");
  await apiAs(page, `/api/v1/progress/${id}`, { method: "DELETE" });
  await playFromDetail(page, "Deep Colour");
  const port = new URL(base).port;
  await stopServer(server);
  server = null;
  await page.locator("[role=alert]", { hasText: "Retry" }).waitFor({ timeout: 60000 });
  await shot(page, "7-error");
  ({ child: server } = await startServer(port));
  await page.evaluate(() => {
    window.reelPlaying = [];
  });
  await page.click('[role=alert] button:has-text("Retry")');
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  const at = await videoTime(page);
  await page.waitForFunction((t0) => document.querySelector("video").currentTime > t0 + 1, at, {
    timeout: 15000,
  });
  await shot(page, "7-recovered");
  // Leaving the player ends its session, so its encoder frees its slot for the next test.
  await page.click('button[aria-label="Back"]');
  await page.waitForSelector("#method");
  await page.close();
});

// Text subtitles: the cue that Chromium reports active is the one of that moment, at the
// start and after a seek, in direct play (MP4 with sidecar files) and in a remux (MKV with
// embedded SubRip). Forced subtitles in the browser's language show on their own.
test("7b. subtitles show the cue of the moment, before and after a seek; audio switches", async () => {
  const page = await newPage();
  await signIn(page);
  const showing = () =>
    page.evaluate(() => {
      const t = [...document.querySelector("video").textTracks].find((t) => t.mode === "showing");
      return t ? t.label : null;
    });
  const methods = [];
  for (const [title, label, word] of [
    ["Quiet Room", "en", "English"],
    ["Many Voices", "eng", "English"],
    ["Deep Colour", "en", "English"],
  ]) {
    await page.goto(`${base}/`);
    const id = await fileIdOf(page, title);
    await apiAs(page, `/api/v1/progress/${id}`, { method: "DELETE" });
    await playFromDetail(page, title);
    const method = await page.evaluate(() => document.querySelector(".player").dataset.method);
    methods.push(method);
    if (title === "Quiet Room") assert.equal(await showing(), "en, forced");
    await page.selectOption('select[aria-label="Subtitles"]', { label });
    assert.equal(await showing(), label);
    // A cue every 3 s from 1 s on, each 1.5 s long: cue 1 at 1.5 s, cue 21 at 61.5 s.
    for (const [at, n] of [
      [1.5, 1],
      [61.5, 21],
    ]) {
      const t0 = await page.evaluate((t) => {
        document.querySelector("video").currentTime = t;
        return performance.now();
      }, at);
      await page.waitForFunction(
        (want) => {
          const t = [...document.querySelector("video").textTracks].find(
            (t) => t.mode === "showing",
          );
          return [...(t?.activeCues || [])].some((c) => c.text === want);
        },
        `${word} cue ${n}`,
        { timeout: 15000 },
      );
      if (n > 1)
        figures[`cue_after_seek_${method}`] =
          ((await page.evaluate(() => performance.now())) - t0) / 1000;
    }
    if (title === "Many Voices") {
      // The French track, from where it is, with the subtitles kept.
      const before = await videoTime(page);
      await page.evaluate(() => {
        window.reelPlaying = [];
      });
      const t0 = await page.evaluate(() => performance.now());
      await page.selectOption('select[aria-label="Audio track"]', "2");
      await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, {
        timeout: 20000,
      });
      figures.audio_switch = ((await page.evaluate(() => window.reelPlaying[0])) - t0) / 1000;
      // hls.js may report the new stream's first frame before it has moved to the position.
      await page
        .waitForFunction(
          (b) => Math.abs(document.querySelector("video").currentTime - b) < 5,
          before,
          { timeout: 10000 },
        )
        .catch(() => {});
      const after = await videoTime(page);
      assert.ok(Math.abs(after - before) < 5, `the switch went from ${before} s to ${after} s`);
      assert.equal(await page.inputValue('select[aria-label="Audio track"]'), "2");
      assert.equal(await showing(), label);
    }
    await shot(page, `7b-${title.replaceAll(" ", "-")}`);
    await page.click('button[aria-label="Back"]');
    await page.waitForSelector("#method");
  }
  assert.deepEqual(methods, ["direct_play", "remux", "transcode"]);
  await page.close();
});

// The mean brightness of what the video shows, paused at t, inside the box that
// gen-pgs.mjs draws (at 117,159 to 197,165 of 320x180).
async function boxBrightness(page, t) {
  return page.evaluate(async (t) => {
    const v = document.querySelector("video");
    v.pause();
    v.currentTime = t;
    await new Promise((resolve) => v.addEventListener("seeked", resolve, { once: true }));
    while (v.readyState < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const c = document.createElement("canvas");
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext("2d");
    g.drawImage(v, 0, 0);
    const [x, y, w, h] = [117, 159, 80, 6].map((n, i) =>
      Math.round((n * (i % 2 ? c.height : c.width)) / (i % 2 ? 180 : 320)),
    );
    const d = g.getImageData(x, y, w, h).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
    return sum / (d.length / 4);
  }, t);
}

test("7c. image subtitles chosen in the menu are burnt in, and go when turned off", async () => {
  const page = await newPage();
  await signIn(page);
  await page.goto(`${base}/`);
  const id = await fileIdOf(page, "Night Ferry");
  await apiAs(page, `/api/v1/progress/${id}`, { method: "DELETE" });
  await playFromDetail(page, "Night Ferry");
  const method = () => page.evaluate(() => document.querySelector(".player").dataset.method);
  assert.equal(await method(), "remux");
  // A cue every 3 s from 1 s on, each 1.5 s long: cue 21 from 61 s to 62.5 s.
  assert.ok((await boxBrightness(page, 61.7)) < 100, "no box before the subtitles are chosen");
  await page.evaluate(() => document.querySelector("video").play());
  await page.waitForFunction(() => document.querySelector("video").currentTime > 62);
  await page.evaluate(() => {
    window.reelPlaying = [];
  });
  const t0 = await page.evaluate(() => performance.now());
  const menu = 'select[aria-label="Subtitles"]';
  await page.selectOption(menu, { label: "eng, image" });
  await page.waitForFunction(() => (window.reelPlaying || []).length > 0, null, { timeout: 20000 });
  figures.burn_in_switch = ((await page.evaluate(() => window.reelPlaying[0])) - t0) / 1000;
  assert.equal(await method(), "transcode");
  assert.equal(await page.$eval(menu, (m) => m.selectedOptions[0].text), "eng, image");
  // A seek far ahead: the encoder starts there, with the pictures from there.
  const lit = await boxBrightness(page, 91.7); // cue 31, 91 s to 92.5 s
  assert.ok(lit > 180, `the box of cue 31 is burnt in (brightness ${lit.toFixed(0)})`);
  await shot(page, "7c-burnt-in");
  assert.ok((await boxBrightness(page, 93.2)) < 100, "no box between cues");
  await page.selectOption(menu, { label: "Subtitles off" });
  await page.waitForFunction(
    () => document.querySelector(".player").dataset.method === "remux",
    null,
    { timeout: 20000 },
  );
  await page.close();
});

test("7d. chapters are marks on the seek bar, Shift+arrows go to them, scrubbing previews", async () => {
  const page = await newPage();
  await signIn(page);
  await page.goto(`${base}/`);
  const id = await fileIdOf(page, "Long Way");
  await apiAs(page, `/api/v1/progress/${id}`, { method: "DELETE" });
  await playFromDetail(page, "Long Way");
  // gen-media.sh: Opening, Part One at 10 %, Part Two at 50 %, Credits at 85 % of 120 s.
  const marks = await page.$$eval(".seek .chapter", (m) =>
    m.map((e) => ({ title: e.title, left: parseFloat(e.style.left) })),
  );
  assert.deepEqual(
    marks.map((m) => m.title),
    ["Part One", "Part Two", "Credits"],
  );
  assert.deepEqual(
    marks.map((m) => Math.round(m.left)),
    [10, 50, 85],
  );
  const at = () => page.evaluate(() => document.querySelector("video").currentTime);
  await page.keyboard.press("Shift+ArrowRight");
  await page.waitForFunction(() => document.querySelector("video").currentTime >= 12);
  assert.ok(Math.abs((await at()) - 12) < 1, `Part One starts at 12 s, not ${await at()}`);
  await page.keyboard.press("Shift+ArrowRight");
  await page.waitForFunction(() => document.querySelector("video").currentTime >= 60);
  assert.ok((await at()) < 61);
  await page.waitForFunction(() => document.querySelector("video").currentTime > 64);
  await page.keyboard.press("Shift+ArrowLeft"); // into Part Two 4 s ago: its start
  await page.waitForFunction(() => document.querySelector("video").currentTime < 62);
  assert.ok((await at()) >= 60);
  await shot(page, "7d-chapters");

  // Scrubbing: the preview of the time under the pointer, with its chapter's name.
  const bar = await page.locator('input[aria-label="Seek"]').boundingBox();
  await page.mouse.move(bar.x + bar.width * 0.505, bar.y + bar.height / 2);
  const preview = page.locator(".seek .preview");
  await preview.waitFor({ state: "visible" });
  assert.match(await preview.textContent(), /^1:0[01] · Part Two$/);
  const image = await page.$eval(".seek .preview .image", (e) => ({
    time: e.dataset.time,
    url: e.style.backgroundImage,
    at: e.style.backgroundPosition,
  }));
  // 12 previews every 10 s, 10 to a row: the 7th (60 s) is the sheet's first row's 7th.
  assert.equal(image.time, "60");
  assert.match(image.url, /\/api\/v1\/library\/files\/\d+\/trickplay\/0\.jpg/);
  assert.equal(image.at, "-1920px 0px");
  const sheet = await page.evaluate(async (css) => {
    const url = css.slice(5, -2);
    const img = new Image();
    img.src = url;
    await img.decode();
    return img.naturalWidth;
  }, image.url);
  assert.equal(sheet, 3200);
  await shot(page, "7d-preview");
  await page.close();
});

test("7e. skip the intro found by comparing episodes, then the next episode's card plays it", async () => {
  const page = await newPage();
  await signIn(page);
  const { body } = await apiAs(page, "/api/v1/library/items");
  const show = `${base}/item/${body.shows.find((s) => s.title === "Tunes").id}`;
  await page.goto(show);
  // Nothing watched yet: the show's page offers the first episode.
  await page.click('button:has-text("Play S01E01 Part 1")');
  await page.waitForFunction(() => document.querySelector("video")?.currentTime > 0.2);
  // gen-media.sh: the intro is 5 s to 20 s into the first episode.
  await page.evaluate(() => {
    document.querySelector("video").currentTime = 6;
  });
  const skip = page.locator(".player .skip");
  await skip.waitFor({ state: "visible" });
  assert.equal(await skip.textContent(), "Skip intro");
  await shot(page, "7e-skip-intro");
  await skip.click();
  await page.waitForFunction(() => document.querySelector("video").currentTime >= 19);
  const after = await videoTime(page);
  assert.ok(after >= 19 && after < 21.5, `Skip intro went to ${after} s, not 20 s`);
  await skip.waitFor({ state: "hidden" });
  // The credits (found by comparing the episodes' ends: 50 s to 62 s) bring the card, which
  // counts down to the next episode.
  await page.evaluate(() => {
    document.querySelector("video").currentTime = 48;
  });
  await skip.waitFor({ state: "visible", timeout: 15000 });
  assert.equal(await skip.textContent(), "Skip credits");
  const card = page.locator(".upnext");
  await card.waitFor({ state: "visible", timeout: 15000 });
  assert.match(await card.textContent(), /Up next: Part 2 in \d+ s/);
  await shot(page, "7e-up-next");
  const first = await page.evaluate(() => location.pathname);
  await page.waitForFunction((p) => location.pathname !== p, first, { timeout: 30000 });
  const next = await page.evaluate(() => location.pathname);
  await page.waitForFunction(() => document.querySelector("video")?.currentTime > 0.2);
  // The show's page now offers the episode in progress.
  await page.click('button[aria-label="Back"]');
  await page.goto(show);
  // E01 was watched to its end: the next one is offered (to resume, if its start was saved).
  await page.locator('button:has-text("S01E02 Part 2")').waitFor({ timeout: 5000 });
  assert.ok(next.startsWith("/play/") && next !== first);
  await page.close();
});

// Every title of the test library, from its detail page: it starts, seeks to 60 %, and keeps
// playing. One row per title; a title that does not play fails the test.
// bench/matrix.sh plays every title several times and prints medians.
const matrixRuns = Number(process.env.REEL_MATRIX_RUNS || 1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test("8. every title plays and seeks", async () => {
  const page = await newPage();
  await signIn(page);
  const { body } = await apiAs(page, "/api/v1/library/items");
  const playable = body.movies.filter((m) => !m.files[0].error);
  const titles = playable.map((m) => ({ title: m.title, file: m.files[0].id, item: m.id }));
  const rows = [];
  const failures = [];
  for (const { title, file, item } of titles) {
    const row = { title, first: [], seeks: [] };
    for (let run = 0; run < matrixRuns; run++) {
      // Leave the player first: it saves the position as it goes, which would make the
      // next run a Resume. Each run is a new device, so a new session, with nothing made.
      await page.goto(`${base}/`);
      await apiAs(page, `/api/v1/progress/${file}`, { method: "DELETE" });
      await page.evaluate((n) => localStorage.setItem("reel-device", `matrix-${n}`), run);
      try {
        row.first.push(await playFromDetail(page, title));
        row.method = await page.evaluate(() => document.querySelector(".player")?.dataset.method);
        await page.waitForFunction(() => document.querySelector("video").currentTime > 0.5, null, {
          timeout: 15000,
        });
        row.seeks.push(await seekBy(page, "6"));
        const at = await videoTime(page);
        await page.waitForFunction(
          (t0) => document.querySelector("video").currentTime > t0 + 2,
          at,
          { timeout: 15000 },
        );
      } catch (e) {
        row.failed = true;
        failures.push(`${title}: ${e.message.split("\n")[0]}`);
        await shot(page, `8-${title.replaceAll(" ", "-")}`);
        break;
      }
    }
    // What the detail page says of the plan, for this browser's profile.
    await page.goto(`${base}/item/${item}`);
    row.reasons = (await page.locator("#method").textContent()).replace("Reel will use ", "");
    rows.push(row);
  }
  const runs = matrixRuns > 1 ? `, medians of ${matrixRuns} runs` : "";
  for (const r of rows) {
    const first = r.first.length ? median(r.first).toFixed(2) : "-";
    const seek = r.seeks.length ? median(r.seeks).toFixed(2) : "-";
    console.log(
      `matrix: ${r.failed ? "FAILS" : "plays"} ${r.title.padEnd(16)} ${String(r.method).padEnd(11)} ` +
        `first frame ${first} s, seek ${seek} s${runs} (${r.reasons})`,
    );
  }
  // A file that cannot be played says why on its page, and offers no Play that would fail.
  const broken = body.movies.find((m) => m.files[0].error);
  assert.ok(broken, "the library holds an unreadable file");
  await page.goto(`${base}/item/${broken.id}`);
  await page.locator("button:has-text('Cannot play')[disabled]").waitFor();
  assert.match(await page.locator("#method").textContent(), /cannot be played/);
  await shot(page, "8-unplayable");
  await page.close();
  assert.deepEqual(failures, []);
});
