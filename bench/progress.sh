#!/usr/bin/env bash
# Progress writes through the HTTP API (64 connections, wrk) against a bare SQLite loop of
# the same upserts, and SSE fan-out to 1000 streams. Medians of RUNS runs; printed only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
runs=${RUNS:-5}
secs=${SECONDS_PER_RUN:-5}
work=$(mktemp -d /tmp/reel-bench-progress-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT

REEL_MEDIA_SECONDS=2 "$root/scripts/gen-media.sh" "$work/lib" --tiny >/dev/null
cc -O2 -o "$work/sqlite_upserts" "$here/sqlite_upserts.c" -lsqlite3
# One user's thousand streams, from one address: past the limits a server takes by default.
reel_start "$root/$build/reel" "$work/data" "$work/lib" --max-event-streams 2000 \
    --max-connections-per-address 0
token=$(reel_token)
reel_wait_scan "$token"
files=$(curl -s -H "Authorization: Bearer $token" "$REEL_URL/api/v1/library/items" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(str(m["files"][0]["id"]) for m in d["movies"]))')

rates=() p50=() p99=() loop=()
for _ in $(seq "$runs"); do
    AUTH="Bearer $token" FILES="$files" wrk -t 2 -c 64 -d "${secs}s" --latency \
        -s "$here/progress.lua" "$REEL_URL" >"$work/wrk.txt"
    if grep -qE "Non-2xx|Socket errors" "$work/wrk.txt"; then
        cat "$work/wrk.txt" >&2
        exit 1
    fi
    rates+=("$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")")
    p50+=("$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")")
    p99+=("$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")")
    cp "$work/data/reel.db" "$work/copy.db"
    [ -f "$work/data/reel.db-wal" ] && cp "$work/data/reel.db-wal" "$work/copy.db-wal"
    loop+=("$("$work/sqlite_upserts" "$work/copy.db" "${files%% *}" 20000)")
    rm -f "$work"/copy.db*
done
to_ms() { python3 -c "import sys; v=sys.argv[1]; print(float(v[:-2]) if v.endswith('ms') else float(v[:-2])/1000 if v.endswith('us') else float(v[:-1])*1000)" "$1"; }
ms50=() ms99=()
for v in "${p50[@]}"; do ms50+=("$(to_ms "$v")"); done
for v in "${p99[@]}"; do ms99+=("$(to_ms "$v")"); done
r=$(median "${rates[@]}") l=$(median "${loop[@]}")
python3 - "$r" "$(median "${ms50[@]}")" "$(median "${ms99[@]}")" "$l" <<PY
import sys
r, p50, p99, loop = map(float, sys.argv[1:])
print(f"progress writes over HTTP, 64 connections: {r:.0f}/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms "
      f"(aim >= 5000/s, p99 < 20 ms)")
print(f"bare SQLite loop of the same upserts: {loop:.0f}/s; HTTP keeps {r / loop:.2f}x of it")
PY
echo "(medians of $runs runs of ${secs}s)"
RUNS=$runs python3 "$here/sse_fanout.py" "$REEL_URL" "$token" "${files%% *}"
