#!/usr/bin/env bash
# Subtitle and audio track figures, medians of RUNS runs, on the demo library's 60 s 720p
# titles:
#  1. the cost of burning image subtitles in: a whole transcode through Reel's HLS (every
#     segment of the 720p rendition, fetched in order) of Night Ferry with its PGS
#     subtitles, next to the same transcode without them; and the same pair as plain
#     ffmpeg runs.
#  2. what alternate audio renditions would cost, which Reel does not make (it starts a new
#     encoder at the segment instead, see docs/streaming.md): plain ffmpeg making HLS of
#     Many Voices with one audio rendition, next to both of its tracks as renditions, with
#     the video encoded and with it copied.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
bin=$root/$build/reel
media=$root/$build/bench-media
work=$(mktemp -d /tmp/reel-bench-tracks-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT
RUNS=${RUNS:-3}

"$root/scripts/gen-media.sh" "$media" >/dev/null
ferry="$media/Movies/Night Ferry (2014).mkv"
voices="$media/Movies/Many Voices (2018).mkv"
mkdir -p "$work/lib"
cp "$ferry" "$work/lib/"

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# A profile without video codecs: the video is encoded whatever it is.
profile='{"containers":["mp4"],"video":[],"audio":[{"codec":"aac"}],
  "hls":{"ts":{"video":[],"audio":[{"codec":"aac"}]}}}'

reel_start "$bin" "$work/data" "$work/lib" --hls-idle-timeout 600 --hls-calibrate 0
token=$(reel_token)
reel_wait_scan "$token"
auth=(-H "Authorization: Bearer $token")

# reel_transcode RUN SUBTITLE: seconds to fetch every segment of the first rendition.
reel_transcode() {
    local body url playlist t0
    body="{\"profile\":$profile,\"segments\":\"ts\",\"device_id\":\"bench-$1-$2\",\"subtitle_stream\":$2}"
    url=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "$body" \
        "$REEL_URL/api/v1/playback/1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
    playlist=$(curl -sf "${auth[@]}" "$REEL_URL$url" | grep -v '^#' | head -1)
    t0=$(now)
    local base=$REEL_URL${playlist%index.m3u8}
    for seg in $(curl -sf "${auth[@]}" "$REEL_URL$playlist" | grep -v '^#'); do
        curl -sf "${auth[@]}" -o /dev/null "$base$seg"
    done
    awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'
}

# ffmpeg_transcode BURN: plain ffmpeg's 720p H.264 HLS of the same title, with the PGS
# subtitles overlaid or not.
ffmpeg_transcode() {
    local map=(-map 0:v:0 -vf scale=1280:720)
    [ "$1" = 1 ] && map=(-filter_complex "[0:v:0]scale=1280:720[m];[0:s:0]scale=1280:720[s];[m][s]overlay=eof_action=pass[v]" -map "[v]")
    rm -rf "$work/ff" && mkdir -p "$work/ff"
    local t0
    t0=$(now)
    ffmpeg -v error -nostdin -y -i "$ferry" "${map[@]}" -map 0:a:0 -c:v libx264 -preset veryfast \
        -tune zerolatency -b:v 2800000 -c:a copy -f hls -hls_time 4 -hls_list_size 0 \
        -hls_segment_filename "$work/ff/%d.ts" "$work/ff/index.m3u8"
    awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'
}

plain=() burnt=() ff_plain=() ff_burnt=()
for run in $(seq "$RUNS"); do
    plain+=("$(reel_transcode "$run" -1)")
    burnt+=("$(reel_transcode "$run" 2)")
    ff_plain+=("$(ffmpeg_transcode 0)")
    ff_burnt+=("$(ffmpeg_transcode 1)")
done
reel_stop
p=$(median "${plain[@]}") b=$(median "${burnt[@]}")
fp=$(median "${ff_plain[@]}") fb=$(median "${ff_burnt[@]}")
echo "burn-in, 60 s 720p H.264 to 720p, whole transcode (medians of $RUNS):"
echo "  Reel without subtitles  ${p} s   with PGS burnt in  ${b} s   ratio $(ratio "$b" "$p")"
echo "  plain ffmpeg without    ${fp} s   with PGS overlaid  ${fb} s   ratio $(ratio "$fb" "$fp")"
echo "  Reel / plain ffmpeg, burnt in: $(ratio "$b" "$fb")"

# hls_audio VIDEO TRACKS: plain ffmpeg making HLS of Many Voices, video encoded (x264) or
# copied, with one audio rendition (AAC) or both tracks as renditions of one group.
hls_audio() {
    local video=(-c:v libx264 -preset veryfast -b:v 2800000)
    [ "$1" = copy ] && video=(-c:v copy)
    local maps=(-map 0:v:0 -map 0:a:0) vsm="v:0,agroup:aud a:0,agroup:aud,default:yes"
    [ "$2" = 2 ] && maps+=(-map 0:a:1) && vsm="$vsm a:1,agroup:aud"
    rm -rf "$work/au" && mkdir -p "$work/au"
    local t0
    t0=$(now)
    ffmpeg -v error -nostdin -y -i "$voices" "${maps[@]}" "${video[@]}" -c:a aac -b:a 128k \
        -f hls -hls_time 4 -hls_list_size 0 -var_stream_map "$vsm" \
        -master_pl_name master.m3u8 -hls_segment_filename "$work/au/%v-%d.ts" "$work/au/%v.m3u8"
    awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }'
}

echo "alternate audio renditions, plain ffmpeg, 60 s 720p (medians of $RUNS):"
for video in x264 copy; do
    one=() two=()
    for _ in $(seq "$RUNS"); do
        one+=("$(hls_audio "$video" 1)")
        two+=("$(hls_audio "$video" 2)")
    done
    o=$(median "${one[@]}") t=$(median "${two[@]}")
    echo "  video $video: one audio rendition ${o} s   both tracks ${t} s   ratio $(ratio "$t" "$o")"
done
