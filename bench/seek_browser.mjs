// A seek in Chromium, for bench/seek.sh: signs in to a running Reel, plays its first movie
// from the detail page, seeks to 60 % once playing, and prints the time from the seek to
// playing again and the seconds of stall (the clock not moving while it should) in the 20 s
// after, as JSON. Each run is a new device, so a new session with nothing made.
//
//   node bench/seek_browser.mjs URL PASSWORD RUNS
import { chromium } from "playwright-core";

const [url, password, runs = "3"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
});
const page = await browser.newPage();
await page.addInitScript(() => {
  window.reelPlaying = [];
  document.addEventListener("playing", () => window.reelPlaying.push(performance.now()), true);
});
await page.goto(`${url}/`);
await page.fill("input[name=username]", "admin");
await page.fill("input[name=password]", password);
await page.click("button[type=submit]");
await page.waitForSelector(".card");

const result = { seek_s: [], stall_s: [] };
for (let run = 0; run < Number(runs); run++) {
  await page.goto(`${url}/`);
  await page.evaluate((n) => localStorage.setItem("reel-device", `bench-${Date.now()}-${n}`), run);
  await page.click(".card");
  await page.click("button:is(:text-is('Play'), :text-is('Start over'))");
  await page.waitForFunction(() => document.querySelector("video")?.currentTime > 1, null, {
    timeout: 60000,
  });
  const t0 = await page.evaluate(() => {
    window.reelPlaying = [];
    const v = document.querySelector("video");
    v.currentTime = v.duration * 0.6;
    return performance.now();
  });
  await page.waitForFunction(() => window.reelPlaying.length > 0, null, { timeout: 60000 });
  result.seek_s.push(((await page.evaluate(() => window.reelPlaying[0])) - t0) / 1000);
  // Stall: 100 ms samples in which the clock moved less than a tenth of that.
  const stall = await page.evaluate(async () => {
    const v = document.querySelector("video");
    let stalled = 0;
    let last = v.currentTime;
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (v.currentTime - last < 0.01 && !v.ended) stalled += 0.1;
      last = v.currentTime;
    }
    return stalled;
  });
  result.stall_s.push(stall);
}
await browser.close();
console.log(JSON.stringify(result));
