#!/usr/bin/env bash
# Prepared versions: how long Reel takes to make one, next to plain ffmpeg writing the same
# HLS (fMP4, 4 s segments) with the same codecs, for a 10-minute H.264/AAC film (copied) and
# a 2-minute 720p MPEG-2 one (encoded to H.264/AAC with x264 veryfast, every rendition of
# the version's ladder: plain ffmpeg runs once per rendition, at its size and bitrate); then
# the time to a first decoded frame of each through Reel (ffmpeg as the client), from the
# prepared version next to a new on-demand session. Medians of RUNS runs (default 3);
# KINDS="copy" or "encode" runs one half. STORE=s3 keeps the versions in a bucket of s3rver
# (npm) instead of the data folder: uploads count in the time to make one, and the first
# frame of a prepared title comes through a signed link, its segments from the store; plain
# ffmpeg's output is then uploaded with curl (SigV4, four at a time) for the peer figure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
media=$root/$build/bench-media
work=$(mktemp -d /tmp/reel-bench-prepare-XXXXXX)
s3pid=
trap 'reel_stop 2>/dev/null; [ -z "$s3pid" ] || kill $s3pid; rm -rf "$work"' EXIT
runs=${RUNS:-3}
store_args=() masters="$work/data/prepared" suffix=
if [ "${STORE:-folder}" = s3 ]; then
    mkdir -p "$work/s3"
    node "$root/node_modules/s3rver/bin/s3rver.js" -d "$work/s3" -a 127.0.0.1 -p 0 --silent \
        --configure-bucket reel >"$work/s3.log" 2>&1 &
    s3pid=$!
    until endpoint=$(sed -n 's/^S3rver listening on \(.*\)$/http:\/\/\1/p' "$work/s3.log") &&
        [ -n "$endpoint" ]; do sleep 0.1; done
    store_args=(--s3-endpoint "$endpoint" --s3-bucket reel --s3-access-key S3RVER
        --s3-secret-key S3RVER)
    masters="$work/s3/reel" suffix=._S3rver_object
fi

mkdir -p "$media" "$work/lib"
copy="$media/Copied Film (2020).mp4"
encode="$media/Encoded Film (2021).ts"
if [ ! -s "$copy" ]; then
    ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=24 -f lavfi \
        -i sine=frequency=440:sample_rate=48000 -t 600 -c:v libx264 -preset ultrafast -g 48 \
        -c:a aac -b:a 128k "$copy.part.mp4"
    mv "$copy.part.mp4" "$copy"
fi
if [ ! -s "$encode" ]; then
    ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=24 -f lavfi \
        -i sine=frequency=440:sample_rate=48000 -t 120 -c:v mpeg2video -q:v 4 -c:a mp2 \
        -f mpegts "$encode.part"
    mv "$encode.part" "$encode"
fi
cp "$copy" "$encode" "$work/lib/"
reel_start "$root/$build/reel" "$work/data" "$work/lib" --hls-calibrate 0 --jobs-nice 0 \
    "${store_args[@]}" ${REEL_ARGS:-}
token=$(reel_token)
reel_wait_scan "$token"
auth="Authorization: Bearer $token"
id_of() {
    curl -s -H "$auth" "$REEL_URL/api/v1/library/items" |
        python3 -c "import json,sys; print([m for m in json.load(sys.stdin)['movies'] if m['title'] == sys.argv[1]][0]['files'][0]['id'])" "$1"
}
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }

# prepare ID: seconds from asking to ready.
prepare() {
    curl -s -X DELETE -H "$auth" "$REEL_URL/api/v1/prepared/$1" >/dev/null
    local t0 t1
    t0=$(now)
    curl -s -X POST -H "$auth" "$REEL_URL/api/v1/prepared/$1" >/dev/null
    until curl -s -H "$auth" "$REEL_URL/api/v1/prepared/$1" | grep -q '"status":"\(ready\|failed\)"'; do
        sleep 0.05
    done
    t1=$(now)
    curl -s -H "$auth" "$REEL_URL/api/v1/prepared/$1" | grep -q '"ready"' || { echo "prepare $1 failed" >&2; exit 1; }
    calc "$t1 - $t0"
}

# plain SRC ARGS...: seconds for ffmpeg to write the HLS itself.
plain() {
    local src=$1
    shift
    rm -rf "$work/plain" && mkdir -p "$work/plain"
    local t0 t1
    t0=$(now)
    ffmpeg -nostdin -v error -i "$src" "$@" -f hls -hls_playlist_type vod -hls_time 4 \
        -hls_segment_type fmp4 -hls_segment_filename "$work/plain/%d.m4s" "$work/plain/index.m3u8"
    if [ -n "$s3pid" ]; then
        # Then into the bucket as curl does it, four at a time, as Reel sends them.
        (cd "$work/plain" && ls | xargs -P 4 -I{} curl -sf --aws-sigv4 aws:amz:us-east-1:s3 \
            -u S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T {} \
            "$endpoint/reel/plain/{}" -o /dev/null)
    fi
    t1=$(now)
    calc "$t1 - $t0"
}

# first_frame URL [HEADER]: seconds until ffmpeg, reading through Reel, has decoded one
# frame.
first_frame() {
    local t0 t1
    t0=$(now)
    ffmpeg -nostdin -v error -headers "${2-$auth}"$'\r\n' -i "$1" -frames:v 1 -f null - 2>/dev/null
    t1=$(now)
    calc "$t1 - $t0"
}

for kind in ${KINDS:-copy encode}; do
    if [ $kind = copy ]; then
        src=$copy title="Copied Film" args=(-c copy)
    else
        src=$encode title="Encoded Film"
        args=(-c:v libx264 -preset veryfast -c:a aac -b:a 128k -force_key_frames "expr:gte(t,n_forced*4)")
    fi
    id=$(id_of "$title")
    r=() p=()
    for _ in $(seq "$runs"); do
        r+=("$(prepare "$id")")
        if [ $kind = copy ]; then
            p+=("$(plain "$src" "${args[@]}")")
            continue
        fi
        # The ladder Reel made: each rendition's size and average bitrate, less the audio's.
        total=0
        while read -r w h bw; do
            t=$(plain "$src" "${args[@]}" -vf "scale=$w:$h" -b:v $((bw - 128000)) \
                -maxrate $(((bw - 128000) * 12 / 10)) -bufsize $(((bw - 128000) * 2)))
            total=$(calc "$total + $t")
        done < <(sed -n 's/.*AVERAGE-BANDWIDTH=\([0-9]*\),RESOLUTION=\([0-9]*\)x\([0-9]*\).*/\2 \3 \1/p' \
            "$masters/$id"-*/master.m3u8$suffix)
        p+=("$total")
    done
    mr=$(median "${r[@]}") mp=$(median "${p[@]}")
    echo "make a prepared version ($kind, $(basename "$src")): Reel $mr s, plain ffmpeg $mp s, ratio $(calc "$mr / $mp")"
    f=() o=()
    for i in $(seq "$runs"); do
        if [ -n "$s3pid" ]; then
            # A client that sends Authorization would send it on to the store too, which
            # refuses a request with two credentials: a link needs no header.
            link=$(curl -s -X POST -H "$auth" -H 'Content-Type: application/json' \
                -d '{"client":"browser"}' "$REEL_URL/api/v1/links/$id" |
                python3 -c "import json,sys; print(json.load(sys.stdin)['url'])")
            f+=("$(first_frame "$link" "X-Bench: 1")")
        else
            f+=("$(first_frame "$REEL_URL/api/v1/stream/$id")")
        fi
        # A cap keeps the on-demand plan from using the prepared version: a new session.
        o+=("$(first_frame "$REEL_URL/api/v1/stream/$id?max_bitrate=100000000&device_id=bench-$kind-$i")")
    done
    mf=$(median "${f[@]}") mo=$(median "${o[@]}")
    echo "first frame ($kind): prepared $mf s, on demand $mo s, ratio $(calc "$mf / $mo")"
done
