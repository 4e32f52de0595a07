#!/usr/bin/env bash
# Background task figures, medians of RUNS runs:
#  1. scrubbing previews of an hour of 720p H.264 (the demo's Test Pattern looped, keyframes
#     every 2 s) at Reel's defaults (every 10 s, 320 px, 10x10 sheets), as the trickplay task
#     takes (its started_at to finished_at), next to a plain ffmpeg run that decodes every
#     frame for the same sheets;
#  2. the intro task of an episode (fingerprints of its start and end, and the comparisons),
#     over the demo's Tunes season. PART=intro runs this part alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
bin=$root/$build/reel
media=$root/$build/bench-media
work=$(mktemp -d /tmp/reel-bench-tasks-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT
RUNS=${RUNS:-3}

"$root/scripts/gen-media.sh" "$media" >/dev/null
hour="$work/hour/Hour Long (2001).mp4"
mkdir -p "$work/hour" "$work/tunes"
ffmpeg -v error -stream_loop 59 -i "$media/Movies/Test Pattern (2021)/Test Pattern (2021).mp4" \
    -c copy "$hour"
cp -r "$media/TV" "$work/tunes/"
rm -rf "$work/tunes/TV/Demo Show"

# tasks_ms KIND: the finished tasks of that kind, one duration (ms) per line.
tasks_ms() {
    curl -sf -H "Authorization: Bearer $token" "$REEL_URL/api/v1/tasks" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    if t["kind"] == sys.argv[1] and t["state"] == "done":
        print(t["finished_at"] - t["started_at"])' "$1"
}

# wait_tasks N: until N tasks are done.
wait_tasks() {
    while [ "$(curl -sf -H "Authorization: Bearer $token" "$REEL_URL/api/v1/tasks" |
        grep -o '"state":"done"' | wc -l)" -lt "$1" ]; do
        sleep 0.2
    done
}

# PART=intro measures the intro task alone.
PART=${PART:-all}
reel=(0) peer=(1) intro=()
[ "$PART" = all ] && reel=() peer=()
for _ in $(seq "$RUNS"); do
    [ "$PART" = all ] || continue
    rm -rf "$work/data"
    reel_start "$bin" "$work/data" "$work/hour"
    token=$(reel_token)
    reel_wait_scan "$token"
    wait_tasks 1
    reel+=("$(tasks_ms trickplay | head -1)")
    reel_stop

    rm -rf "$work/peer" && mkdir -p "$work/peer"
    t0=$(date +%s%N)
    ffmpeg -v error -nostdin -i "$hour" -vf "fps=1/10,scale=320:180,tile=10x10" -q:v 4 \
        "$work/peer/%d.jpg"
    peer+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
done
for _ in $(seq "$RUNS"); do
    rm -rf "$work/data"
    reel_start "$bin" "$work/data" "$work/tunes"
    token=$(reel_token)
    reel_wait_scan "$token"
    wait_tasks 6 # three episodes: previews and intros
    while read -r ms; do intro+=("$ms"); done < <(tasks_ms intro)
    reel_stop
done
r=$(median "${reel[@]}") p=$(median "${peer[@]}") i=$(median "${intro[@]}")
if [ "$PART" = all ]; then
    echo "scrubbing previews of an hour of 720p H.264, every 10 s at 320 px (medians of $RUNS):"
    echo "  Reel's task ${r} ms   plain ffmpeg decoding every frame ${p} ms   ratio $(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.3f", a / b }')"
fi
echo "intro task per episode (fingerprints of its start and end, and the comparisons): ${i} ms (median of ${#intro[@]})"
