#!/usr/bin/env bash
# Direct play against nginx serving the same file with sendfile (tcp_nopush off), side by
# side in one run: throughput for random 1 MiB ranges at 16 connections, and requests per
# second for random 64 KiB ranges at 64 connections, on the browser's path (?static=1) and
# on the unified endpoint a native player uses. wrk sends the same Authorization header
# to both (nginx checks it too). Medians of RUNS runs of SECONDS each; printed, not asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
bin=$(cd "$here/.." && pwd)/$build/reel
runs=${RUNS:-5}
secs=${SECONDS_PER_RUN:-5}
work=$(mktemp -d /tmp/reel-bench-direct-XXXXXX)
chmod 755 "$work" # nginx workers run as another user
nginx_pid=""
trap 'reel_stop 2>/dev/null; [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT

# A 256 MB H.264/AAC MP4.
size=$(stat -c %s "$(big_mp4 "$work" 800)")

reel_start "$bin" "$work/data" "$work/lib"
token=$(reel_token)
reel_wait_scan "$token"
id=$(curl -s -H "Authorization: Bearer $token" "$REEL_URL/api/v1/library/items" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["movies"][0]["files"][0]["id"])')

nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush off;
    keepalive_requests 1000000;
    default_type video/mp4;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx;
    scgi_temp_path $work/nginx;
    server {
        listen 127.0.0.1:$nginx_port;
        location /file.mp4 {
            if (\$http_authorization != "Bearer $token") { return 401; }
            alias "$work/lib/Big Buck (2008).mp4";
        }
    }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 50); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -r 0-9 \
        "http://127.0.0.1:$nginx_port/file.mp4" || true)
    [ "$code" = 206 ] && break
    sleep 0.1
done
[ "$code" = 206 ] || { echo "nginx answered $code" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
curl -sf -o /dev/null -H "Authorization: Bearer $token" -r 0-9 "$REEL_URL/api/v1/stream/$id?static=1"

# run BASE PATH CHUNK CONNS: prints "requests/s bytes/s"
run() {
    FILE_SIZE=$size CHUNK=$3 AUTH="Bearer $token" URL_PATH=$2 \
        wrk -t 2 -c "$4" -d "${secs}s" -s "$here/range.lua" "$1" >"$work/wrk.txt"
    if grep -qE "Non-2xx|Socket errors" "$work/wrk.txt"; then
        echo "unexpected errors:" >&2
        cat "$work/wrk.txt" >&2
        exit 1
    fi
    awk '/Requests\/sec/ {r=$2} /Transfer\/sec/ {t=$2} END {
        m = 1; if (t ~ /GB/) m = 1073741824; else if (t ~ /MB/) m = 1048576; else if (t ~ /KB/) m = 1024;
        sub(/[A-Za-z]+$/, "", t); printf "%s %.0f\n", r, t * m }' "$work/wrk.txt"
}

r_mb=() n_mb=() r_rps=() n_rps=() u_rps=()
reel_path="/api/v1/stream/$id?static=1"
unified_path="/api/v1/stream/$id"
nginx_base="http://127.0.0.1:$nginx_port"
for _ in $(seq "$runs"); do
    read -r _ b < <(run "$REEL_URL" "$reel_path" 1048576 16); r_mb+=("$((b / 1048576))")
    read -r _ b < <(run "$nginx_base" /file.mp4 1048576 16); n_mb+=("$((b / 1048576))")
    read -r q _ < <(run "$REEL_URL" "$reel_path" 65536 64); r_rps+=("$q")
    read -r q _ < <(run "$nginx_base" /file.mp4 65536 64); n_rps+=("$q")
    read -r q _ < <(run "$REEL_URL" "$unified_path" 65536 64); u_rps+=("$q")
done
rm=$(median "${r_mb[@]}") nm=$(median "${n_mb[@]}")
rr=$(median "${r_rps[@]}") nr=$(median "${n_rps[@]}") ur=$(median "${u_rps[@]}")
python3 - "$rm" "$nm" "$rr" "$nr" "$ur" <<PY
import sys
rm, nm, rr, nr, ur = map(float, sys.argv[1:])
print(f"1 MiB ranges, 16 conns:  reel {rm:.0f} MiB/s, nginx {nm:.0f} MiB/s, ratio {rm / nm:.2f}x (aim >= 0.8x)")
print(f"64 KiB ranges, 64 conns: reel {rr:.0f} req/s, nginx {nr:.0f} req/s, ratio {rr / nr:.2f}x (aim >= 0.9x)")
print(f"64 KiB ranges, 64 conns, unified endpoint: reel {ur:.0f} req/s, ratio {ur / nr:.2f}x to nginx (aim >= 0.9x)")
PY
echo "(medians of $runs runs of ${secs}s each, run alternately; file $((size / 1048576)) MiB)"
