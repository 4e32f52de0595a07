#!/usr/bin/env bash
# HLS figures, Reel against plain ffmpeg in one run (medians of RUNS runs): time to the
# first segment for a transcode (1080p HEVC 10-bit/E-AC-3 to 720p) and a remux (H.264/AC-3
# MKV), seek latency to 75 %, steady encode speed, and server memory per idle session.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
bin=$root/$build/reel
media=$root/$build/bench-media
work=$(mktemp -d /tmp/reel-bench-hls-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT

# The demo library's titles (60 s; the HEVC one 1080p), made once and kept in the build.
"$root/scripts/gen-media.sh" "$media" >/dev/null
mkdir -p "$work/lib"
cp "$media/Movies/Deep Colour (2023).mkv" "$media/Movies/Night Clock (2019).mkv" "$work/lib/"

# REEL_ARGS passes settings through, such as "--hls-preset superfast".
reel_start "$bin" "$work/data" "$work/lib" --hls-idle-timeout 600 ${REEL_ARGS:-}
token=$(reel_token)
reel_wait_scan "$token"
RUNS=${RUNS:-5} python3 "$here/hls.py" "$REEL_URL" "$token" "$work" "$REEL_PID"
