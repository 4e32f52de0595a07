#!/usr/bin/env bash
# Scan throughput on 300 small generated files, Reel against ffprobe reading the same files
# (one ffprobe per file, two at a time, as a script would do it), and the idle server's
# resident memory after the scan. Medians of RUNS runs; figures are printed, not asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
bin=$(cd "$here/.." && pwd)/$build/reel
runs=${RUNS:-5}
work=$(mktemp -d /tmp/reel-bench-scan-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT

REEL_MEDIA_SECONDS=2 "$here/../scripts/gen-media.sh" "$work/src" --tiny >/dev/null
srcs=("$work/src/Movies/Test Pattern (2021)/Test Pattern (2021).mp4"
      "$work/src/Movies/Night Clock (2019).mkv" "$work/src/Movies/Open Sky (2020).webm")
mkdir -p "$work/lib"
for i in $(seq 1 300); do
    s=${srcs[$((i % 3))]}
    cp "$s" "$work/lib/Bench Title $i (2000).${s##*.}"
done

reel_rates=() probe_rates=() rss=() anon=()
for r in $(seq "$runs"); do
    rm -rf "$work/data"
    reel_start "$bin" "$work/data" "$work/lib"
    token=$(reel_token)
    while :; do
        st=$(curl -s -H "Authorization: Bearer $token" "$REEL_URL/api/v1/library/scan")
        echo "$st" | grep -q '"state":"idle"' && echo "$st" | grep -q '"finished_at":[0-9]' && break
        sleep 0.05
    done
    ms=$(echo "$st" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["finished_at"]-s["started_at"])')
    probed=$(echo "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["probed"])')
    [ "$probed" = 300 ] || { echo "expected 300 probed files, got $probed" >&2; exit 1; }
    reel_rates+=("$(python3 -c "print(round(300 / max($ms, 1) * 1000, 1))")")
    sleep 1
    rss+=("$(awk '/VmRSS/ {print $2}' "/proc/$REEL_PID/status")")
    anon+=("$(awk '/RssAnon/ {print $2}' "/proc/$REEL_PID/status")")
    reel_stop

    t0=$(date +%s.%N)
    find "$work/lib" -type f -print0 |
        xargs -0 -P 2 -n 1 ffprobe -v error -show_format -show_streams >/dev/null
    t1=$(date +%s.%N)
    probe_rates+=("$(python3 -c "print(round(300 / ($t1 - $t0), 1))")")
done

reel=$(median "${reel_rates[@]}")
probe=$(median "${probe_rates[@]}")
echo "scan: reel $reel files/s, ffprobe x2 $probe files/s, ratio $(python3 -c "print(round($reel / $probe, 2))")x (median of $runs; aim >= 200 files/s)"
echo "idle RSS after scan: $(( $(median "${rss[@]}") / 1024 )) MiB, of which anonymous $(( $(median "${anon[@]}") / 1024 )) MiB; the rest is shared library pages (median of $runs; aim < 30 MB)"
