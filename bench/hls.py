"""The HLS benchmark's client: times requests over one keep-alive connection, and runs
plain ffmpeg beside Reel for the same work. Called by hls.sh."""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

url, token, work, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = int(os.environ.get("RUNS", "5"))
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port)
auth = {"Authorization": "Bearer " + token}


def get(path, method="GET"):
    """One request; reconnects once if the server closed the idle connection (it does after
    its connection timeout, and plain ffmpeg runs take longer than that)."""
    global conn
    for attempt in (0, 1):
        try:
            conn.request(method, path, headers=auth)
            r = conn.getresponse()
            return r.status, r.getheader("Location"), r.read()
        except (http.client.RemoteDisconnected, ConnectionError):
            if attempt:
                raise
            conn.close()
            conn = http.client.HTTPConnection(host.hostname, host.port)


files = {m["title"]: m["files"][0] for m in json.loads(get("/api/v1/library/items")[2])["movies"]}
hevc, remux = files["Deep Colour"], files["Night Clock"]
variant = {"Deep Colour": "720p", "Night Clock": "copy"}


def open_session(file, cap):
    """A new session (each bitrate cap is another plan); returns its base path."""
    status, location, _ = get(f"/api/v1/stream/{file['id']}?max_bitrate={cap}")
    assert status == 302, status
    return location.rsplit("/", 1)[0]


def first_segment(file, name, cap, keep=False):
    """From the stream request to the last byte of the first media segment."""
    t0 = time.monotonic()
    base = open_session(file, cap)
    get(base + "/master.m3u8")
    get(f"{base}/{name}/index.m3u8")
    assert get(f"{base}/{name}/init.mp4")[0] == 200
    status, _, body = get(f"{base}/{name}/0.m4s")
    assert status == 200 and len(body) > 1000, status
    took = time.monotonic() - t0
    if not keep:
        get(base, "DELETE")
    return took, base


def seek(file, name, cap):
    """The first segment, then straight to the one at 75 % while the encoder is at the start."""
    _, base = first_segment(file, name, cap, keep=True)
    playlist = get(f"{base}/{name}/index.m3u8")[2].decode()
    segments = [line for line in playlist.splitlines() if line.endswith(".m4s")]
    target = segments[len(segments) * 3 // 4]
    t0 = time.monotonic()
    status, _, body = get(f"{base}/{name}/{target}")
    assert status == 200 and len(body) > 1000, status
    took = time.monotonic() - t0
    get(base, "DELETE")
    return took


def plain_dir():
    out = os.path.join(work, "plain")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return out


def plain_first_segment(path):
    """Plain ffmpeg, hls muxer defaults but a 6 s segment: until its first one is listed."""
    out = plain_dir()
    playlist = os.path.join(out, "out.m3u8")
    t0 = time.monotonic()
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-i", path, "-map", "0:0", "-map", "0:1",
                          "-c:v", "libx264", "-preset", "veryfast", "-s", "1280x720",
                          "-c:a", "aac", "-f", "hls", "-hls_time", "6", playlist])
    while not (os.path.exists(playlist) and "#EXTINF" in open(playlist).read()):
        time.sleep(0.005)
    took = time.monotonic() - t0
    p.kill()
    p.wait()
    return took


# The arguments Reel's builder gives its 720p encoder, for the same work by plain ffmpeg.
SAME_ARGS = ["-map", "0:0", "-map", "0:1", "-c:v", "libx264", "-preset", "veryfast",
             "-tune", "zerolatency", "-profile:v", "high", "-level:v", "3.1",
             "-vf", "scale=1280:720,format=yuv420p", "-b:v", "2800000", "-maxrate", "3360000",
             "-bufsize", "5600000", "-g", "100000", "-sc_threshold", "0",
             "-force_key_frames", ",".join(f"{t}.000" for t in [1, 2] + list(range(4, 61, 4))),
             "-c:a", "aac", "-ac", "2", "-b:a", "160000", "-copyts",
             "-f", "hls", "-hls_time", "0.001", "-hls_list_size", "0",
             "-hls_segment_type", "fmp4"]


def reel_encode(file, name, cap):
    """Seconds until Reel's encoder has made every segment of the title."""
    t0 = time.monotonic()
    _, base = first_segment(file, name, cap, keep=True)
    while True:
        st = json.loads(get(base)[2])
        r = [x for x in st["renditions"] if x["name"] == name][0]
        if not r["encoding"]:
            break
        get(f"{base}/heartbeat", "POST")
        time.sleep(0.02)
    took = time.monotonic() - t0
    assert r["chunks_on_disk"] == r["segments"], r
    get(base, "DELETE")
    return took


def plain_encode(path):
    out = plain_dir()
    t0 = time.monotonic()
    subprocess.run(["ffmpeg", "-v", "error", "-i", path] + SAME_ARGS +
                   [os.path.join(out, "out.m3u8")], check=True)
    return time.monotonic() - t0


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return int([line for line in f if line.startswith("VmRSS")][0].split()[1])


def idle_session_kib(count=200):
    """Server memory per idle session: open many, ask each for its playlists."""
    before = rss_kib()
    bases = []
    for i in range(count):
        base = open_session(hevc, 30000000 + i)
        get(base + "/master.m3u8")
        get(base + "/720p/index.m3u8")
        bases.append(base)
    after = rss_kib()
    for base in bases:
        get(base, "DELETE")
    return (after - before) / count


hevc_path = os.path.join(work, "lib", hevc["name"])
cap = 20000000
measures = {
    "ttfs_transcode": lambda i: first_segment(hevc, "720p", cap + i)[0],
    "ttfs_plain": lambda i: plain_first_segment(hevc_path),
    "ttfs_remux": lambda i: first_segment(remux, "copy", cap + 100 + i)[0],
    "seek_transcode": lambda i: seek(hevc, "720p", cap + 200 + i),
    "seek_remux": lambda i: seek(remux, "copy", cap + 300 + i),
    "encode_reel": lambda i: reel_encode(hevc, "720p", cap + 400 + i),
    "encode_plain": lambda i: plain_encode(hevc_path),
}
med = {}
for key, fn in measures.items():
    med[key] = statistics.median(fn(i) for i in range(runs))
per_session = statistics.median(idle_session_kib() for _ in range(3))

print(f"time to first segment, transcode 1080p HEVC 10-bit -> 720p: reel {med['ttfs_transcode']:.3f} s, "
      f"plain ffmpeg (6 s segment) {med['ttfs_plain']:.3f} s, ratio {med['ttfs_transcode'] / med['ttfs_plain']:.2f}x "
      f"(aim <= 1.5 s and <= 0.5x)")
print(f"time to first segment, remux H.264/AC-3 MKV: reel {med['ttfs_remux']:.3f} s (aim <= 0.3 s)")
print(f"seek to 75 % with the encoder at the start: transcode {med['seek_transcode']:.3f} s (aim <= 1.5 s), "
      f"remux {med['seek_remux']:.3f} s (aim <= 0.3 s)")
print(f"steady encode of the 60 s title: reel {med['encode_reel']:.2f} s, plain ffmpeg same arguments "
      f"{med['encode_plain']:.2f} s, speed ratio {med['encode_plain'] / med['encode_reel']:.2f}x (aim >= 0.95x)")
print(f"server memory per idle session: {per_session:.0f} KiB (aim < 256 KiB)")
print(f"(medians of {runs} runs)")
