#!/usr/bin/env bash
# A seek in a transcode on this machine: a 1080p HEVC 10-bit film with 10 s between
# keyframes, asked for the segment at 60 % by a new viewer. Reel's time until that segment
# is served, next to plain ffmpeg running the very command Reel ran (taken from the
# session's state) until it has written the segment; medians of RUNS runs (default 3).
# Then the same seek in Chromium: time to playing again, and seconds of stall after it.
# Also prints what the calibration measured for each rung and which rungs Reel offers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
media=$root/$build/bench-media
work=$(mktemp -d /tmp/reel-bench-seek-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT

film="$media/Long GOP (2023).mkv"
mkdir -p "$media" "$work/lib"
if [ ! -s "$film" ]; then
    ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=24 -f lavfi \
        -i sine=frequency=440:sample_rate=48000 -t 60 -c:v libx265 -preset ultrafast \
        -pix_fmt yuv420p10le -x265-params log-level=error:keyint=240:min-keyint=240:scenecut=0 \
        -c:a eac3 -b:a 384k -f matroska "$film.part"
    mv "$film.part" "$film"
fi
cp "$film" "$work/lib/"
reel_start "$root/$build/reel" "$work/data" "$work/lib" --hls-idle-timeout 600 ${REEL_ARGS:-}
token=$(reel_token)
reel_wait_scan "$token"
RUNS=${RUNS:-3} python3 "$here/seek.py" "$REEL_URL" "$token" "$work"
# The same seek in Chromium, from the seek to playing again, next to that plain ffmpeg time.
node "$here/seek_browser.mjs" "$REEL_URL" "$ADMIN_PASSWORD" "${RUNS:-3}" >"$work/browser.json"
python3 - "$work/browser.json" "$work/plain_s" <<'PY'
import json, statistics, sys
b = json.load(open(sys.argv[1]))
plain = float(open(sys.argv[2]).read())
seek, stall = statistics.median(b["seek_s"]), statistics.median(b["stall_s"])
print(f"seek to 60 % in Chromium, to playing again: {seek:.3f} s, ratio {seek / plain:.2f} to "
      f"plain ffmpeg's segment (aim <= 0.6); stall in the 20 s after: {stall:.1f} s (aim <= 1)")
PY
