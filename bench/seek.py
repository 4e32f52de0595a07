"""The seek benchmark's client (see seek.sh)."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

url, token, work = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(os.environ.get("RUNS", "3"))


def get(path, method="GET"):
    req = urllib.request.Request(url + path, method=method,
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


film = json.loads(get("/api/v1/library/items"))["movies"][0]["files"][0]
# The calibration runs in the background on the first start: wait for its estimates.
for _ in range(600):
    plan = json.loads(get(f"/api/v1/playback/{film['id']}?device_id=probe"))
    if all(r["speed"] is not None for r in plan["renditions"]):
        break
    time.sleep(0.1)
get(f"/api/v1/hls/{plan['session_id']}", "DELETE")
for r in plan["renditions"]:
    print(f"rung {r['name']}: offered, {r['speed']}x real time")
for r in plan["dropped_renditions"]:
    print(f"rung {r['name']}: dropped, {r['speed']}x real time")


def reel_seek(i):
    """A new viewer's first request is the segment at 60 % of the best rendition."""
    plan = json.loads(get(f"/api/v1/playback/{film['id']}?device_id=seek{i}"))
    base = f"/api/v1/hls/{plan['session_id']}"
    name = plan["renditions"][0]["name"]
    media = get(f"{base}/{name}/index.m3u8").decode().splitlines()
    # The segment that holds 60 % of the film, as a player seeking there asks for it.
    t, total = 0.0, float(plan["duration"])
    for i, line in enumerate(media):
        if line.startswith("#EXTINF:"):
            t += float(line[8:].split(",")[0])
            if t > total * 0.6:
                target = media[i + 1]
                break
    t0 = time.monotonic()
    body = get(f"{base}/{name}/{target}")
    took = time.monotonic() - t0
    assert len(body) > 1000
    state = json.loads(get(base))
    argv = [r for r in state["renditions"] if r["name"] == name][0]["command"]
    get(base, "DELETE")
    return took, argv, target


def plain(argv):
    """The same ffmpeg command, into a folder of its own, until the segment is written."""
    out = os.path.join(work, "plain")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    old = os.path.dirname(argv[-1])
    args = [a.replace(old, out) for a in argv]
    # The run's first chunk, which is the whole segment in fMP4: "…/eRUN-%d.m4s" with 0.
    pattern = args[args.index("-hls_segment_filename") + 1]
    want = pattern.replace("%d", "0")
    t0 = time.monotonic()
    p = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    while not os.path.exists(want):
        time.sleep(0.002)
    took = time.monotonic() - t0
    p.kill()
    p.wait()
    return took


reel, ffmpeg = [], []
for i in range(runs):
    took, argv, target = reel_seek(i)
    reel.append(took)
    ffmpeg.append(plain(argv))
r, f = statistics.median(reel), statistics.median(ffmpeg)
print(f"seek to 60 % ({target}), first segment: reel {r:.3f} s, plain ffmpeg {f:.3f} s, "
      f"ratio {r / f:.2f} (aim <= 1.1; medians of {runs})")
with open(os.path.join(work, "plain_s"), "w") as out:
    out.write(f"{f}\n")
