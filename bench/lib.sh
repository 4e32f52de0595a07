# Shared by the benchmarks: start and stop Reel, sign in, take medians.
# shellcheck shell=bash

ADMIN_USER=admin
ADMIN_PASSWORD=bench-password

# reel_start BIN DATA LIBRARY [ARGS...]: sets REEL_PID and REEL_URL.
reel_start() {
    local bin=$1 data=$2 lib=$3
    shift 3
    local out
    out=$(mktemp)
    REEL_ADMIN_USER=$ADMIN_USER REEL_ADMIN_PASSWORD=$ADMIN_PASSWORD REEL_LOG_LEVEL=warn \
        "$bin" --listen 127.0.0.1:0 --data "$data" --library "$lib" "$@" >"$out" 2>>"$data.log" &
    REEL_PID=$!
    for _ in $(seq 100); do
        grep -q listening "$out" && break
        sleep 0.05
    done
    REEL_URL=$(grep -o 'http://[0-9.:]*' "$out")
    rm -f "$out"
    [ -n "$REEL_URL" ] || { echo "reel did not start; see $data.log" >&2; exit 1; }
}

reel_stop() {
    kill "$REEL_PID" 2>/dev/null || true
    wait "$REEL_PID" 2>/dev/null || true
}

reel_token() {
    curl -s -X POST -H 'Content-Type: application/json' \
        -d "{\"username\":\"$ADMIN_USER\",\"password\":\"$ADMIN_PASSWORD\"}" \
        "$REEL_URL/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# reel_wait_scan TOKEN: until the start-up scan is done.
reel_wait_scan() {
    while ! curl -s -H "Authorization: Bearer $1" "$REEL_URL/api/v1/library/scan" |
        grep -q '"finished_at":[0-9]'; do
        sleep 0.1
    done
}

# median of the numbers given as arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

# big_mp4 WORK LOOPS: an H.264/AAC MP4 in WORK/lib made by repeating a short generated title
# LOOPS times (800: 256 MB); prints its path.
big_mp4() {
    "$(dirname "${BASH_SOURCE[0]}")/../scripts/gen-media.sh" "$1/src" --tiny >/dev/null
    mkdir -p "$1/lib"
    ffmpeg -v error -stream_loop "$2" -i "$1/src/Movies/Test Pattern (2021)/Test Pattern (2021).mp4" \
        -c copy "$1/lib/Big Buck (2008).mp4"
    echo "$1/lib/Big Buck (2008).mp4"
}
