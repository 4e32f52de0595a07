#!/usr/bin/env bash
# Generates a library of titles with ffmpeg's lavfi sources, covering the codec mixes that
# decide how Reel plays a file. Every frame shows the title and a running clock, and the
# audio beeps once a second, so seeking and A/V sync can be checked by eye and ear.
#
#   gen-media.sh DIR          demo library: 60 s titles, 720p (the HEVC one 1080p)
#   gen-media.sh DIR --tiny   test library: 6 s titles at 320x180, made in seconds
#
# A title already present is kept, so a second run costs nothing.
set -euo pipefail

out=${1:?usage: gen-media.sh DIR [--tiny]}
mode=${2:-demo}
if [ "$mode" = "--tiny" ]; then
    dur=${REEL_MEDIA_SECONDS:-6}; size=320x180; big=320x180; sd=240x180; rate=24
else
    dur=${REEL_MEDIA_SECONDS:-60}; size=1280x720; big=1920x1080; sd=720x576; rate=24
fi
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
export SVT_LOG=1 # SVT-AV1: errors only
mkdir -p "$out/Movies" "$out/TV/Demo Show/Season 01"

# make FILE LABEL SIZE CHANNEL_LAYOUT ENCODER_ARGS...
make() {
    local file=$1 label=$2 wh=$3 layout=$4
    shift 4
    [ -s "$file" ] && return 0
    mkdir -p "$(dirname "$file")"
    local text="drawtext=fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20"
    local fs=$(( ${wh#*x} / 12 ))
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=$wh:rate=$rate:duration=$dur" \
        -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$dur" \
        -vf "$text:fontsize=$fs:text='$label',$text:fontsize=$((fs * 2)):y=h/2:text='%{pts\\:hms}'" \
        -af "aformat=channel_layouts=$layout" \
        -metadata:s:a:0 language=eng "$@" "$file.part"
    mv "$file.part" "$file"
}

m="$out/Movies"
make "$m/Test Pattern (2021)/Test Pattern (2021).mp4" "H.264 AAC MP4" "$size" stereo \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k \
    -movflags +faststart -f mp4
make "$m/Night Clock (2019).mkv" "H.264 AC-3 MKV" "$size" 5.1 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a ac3 -b:a 384k -f matroska
make "$m/Deep Colour (2023).mkv" "HEVC 10-bit E-AC-3 MKV" "$big" 5.1 \
    -c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -x265-params log-level=error:keyint=48 \
    -c:a eac3 -b:a 384k -f matroska
make "$m/Open Sky (2020).webm" "VP9 Opus WebM" "$size" stereo \
    -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 1M -g 48 -c:a libopus -b:a 96k -f webm
make "$m/Old Broadcast (1998).ts" "MPEG-2 TS" "$size" stereo \
    -c:v mpeg2video -b:v 3M -g 12 -c:a mp2 -b:a 192k -f mpegts
# What real libraries hold beyond the browser's own formats.
make "$m/Home Video (2003).avi" "MPEG-4 ASP MP3 AVI" "$size" stereo \
    -c:v mpeg4 -vtag XVID -q:v 4 -g 48 -c:a libmp3lame -b:a 128k -f avi
make "$m/Live Session (2016).mkv" "H.264 FLAC MKV" "$size" stereo \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a flac -f matroska
make "$m/Concert Hall (2017).mkv" "H.264 DTS 5.1 MKV" "$size" 5.1 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a dca -strict -2 -b:a 768k \
    -f matroska
make "$m/Studio Tape (2015).mov" "H.264 PCM MOV" "$size" stereo \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a pcm_s16le -f mov
make "$m/Far Shore (2025).mp4" "AV1 Opus MP4" "$size" stereo \
    -c:v libsvtav1 -preset 12 -g 48 -c:a libopus -b:a 96k -f mp4
make "$m/City Night (2022).mp4" "HEVC 8-bit AAC MP4" "$size" stereo \
    -c:v libx265 -preset ultrafast -pix_fmt yuv420p -x265-params log-level=error:keyint=48 \
    -tag:v hvc1 -c:a aac -b:a 128k -movflags +faststart -f mp4
# Interlaced and anamorphic (16:9 in 4:3 pixels), as broadcast recordings are.
make "$m/Evening News (1999).ts" "MPEG-2 interlaced anamorphic" "$sd" stereo \
    -c:v mpeg2video -b:v 3M -g 12 -flags +ilme+ildct -top 1 -aspect 16:9 \
    -c:a ac3 -b:a 192k -f mpegts
# A phone's clip, filmed upright: stored landscape with a quarter-turn display matrix,
# which ffmpeg 5.1 writes only when copying, and at a variable frame rate (every other
# second at half the rate), as phones record in low light.
phone="$m/Phone Clip (2022).mp4"
if [ ! -s "$phone" ]; then
    make "$out/phone.tmp" "H.264 rotated VFR" "$size" stereo \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k -f mp4
    ffmpeg -hide_banner -loglevel error -y -i "$out/phone.tmp" \
        -vf "select='lt(mod(t\,2)\,1)+not(mod(n\,2))'" -fps_mode vfr \
        -c:v libx264 -preset veryfast -g 36 -c:a copy -f mp4 "$out/phone.vfr"
    mv "$out/phone.vfr" "$out/phone.tmp"
    ffmpeg -hide_banner -loglevel error -y -i "$out/phone.tmp" -c copy \
        -metadata:s:v:0 rotate=90 -f mp4 "$phone.part"
    mv "$phone.part" "$phone"
    rm -f "$out/phone.tmp"
fi
# HDR10: HEVC Main 10, PQ transfer and BT.2020 primaries, with E-AC-3.
make "$m/Bright Lights (2024).mkv" "HEVC HDR10 E-AC-3" "$size" 5.1 \
    -c:v libx265 -preset ultrafast -pix_fmt yuv420p10le \
    -x265-params log-level=error:keyint=48:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc \
    -color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc \
    -c:a eac3 -b:a 384k -f matroska

# cues FILE FORMAT WORD: a cue every 3 s from 1 s on, 1.5 s long, "WORD cue N" (SubRip), or
# the same as ASS with the second word in italics.
cues() {
    local file=$1 format=$2 word=$3 n=1 t
    if [ "$format" = ass ]; then
        printf '[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\nStyle: Default,Sans,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n' >"$file"
    else
        : >"$file"
    fi
    for ((t = 1; t < dur; t += 3)); do
        if [ "$format" = ass ]; then
            printf 'Dialogue: 0,0:%02d:%02d.00,0:%02d:%02d.50,Default,,0,0,0,,{\\an8}%s {\\i1}cue{\\i0} %d\n' \
                $((t / 60)) $((t % 60)) $(((t + 1) / 60)) $(((t + 1) % 60)) "$word" $n >>"$file"
        else
            printf '%d\n00:%02d:%02d,000 --> 00:%02d:%02d,500\n%s cue %d\n\n' $n $((t / 60)) $((t % 60)) \
                $(((t + 1) / 60)) $(((t + 1) % 60)) "$word" $n >>"$file"
        fi
        n=$((n + 1))
    done
}

# Two audio tracks (English at 440 Hz, French at 880 Hz) and two embedded text subtitles
# (SubRip in English, ASS in French).
f="$m/Many Voices (2018).mkv"
if [ ! -s "$f" ]; then
    cues "$out/mv.en.srt" srt English
    cues "$out/mv.fr.ass" ass Français
    text="drawtext=fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20"
    fs=$(( ${size#*x} / 12 ))
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=$size:rate=$rate:duration=$dur" \
        -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$dur" \
        -f lavfi -i "sine=frequency=880:beep_factor=4:sample_rate=48000:duration=$dur" \
        -i "$out/mv.en.srt" -i "$out/mv.fr.ass" \
        -map 0:v -map 1:a -map 2:a -map 3:s -map 4:s \
        -vf "$text:fontsize=$fs:text='Two audio, two subtitles',$text:fontsize=$((fs * 2)):y=h/2:text='%{pts\\:hms}'" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k -ac 2 \
        -c:s:0 srt -c:s:1 ass \
        -metadata:s:a:0 language=eng -metadata:s:a:1 language=fra -metadata:s:a:1 title=Français \
        -metadata:s:s:0 language=eng -metadata:s:s:1 language=fra -disposition:a:0 default \
        -disposition:a:1 0 -f matroska "$f.part"
    mv "$f.part" "$f"
    rm -f "$out/mv.en.srt" "$out/mv.fr.ass"
fi

# Sidecar subtitles: English, English forced, and French in Windows-1252, not UTF-8.
f="$m/Quiet Room (2012).mp4"
make "$f" "Sidecar subtitles" "$size" stereo \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k -f mp4
[ -s "$m/Quiet Room (2012).en.srt" ] || cues "$m/Quiet Room (2012).en.srt" srt English
[ -s "$m/Quiet Room (2012).en.forced.srt" ] || cues "$m/Quiet Room (2012).en.forced.srt" srt Forced
if [ ! -s "$m/Quiet Room (2012).fr.srt" ]; then
    cues "$out/qr.fr.srt" srt Été
    iconv -f UTF-8 -t CP1252 "$out/qr.fr.srt" >"$m/Quiet Room (2012).fr.srt"
    rm -f "$out/qr.fr.srt"
fi

# Image subtitles, which only a burn-in shows: PGS in English and DVD in French (ffmpeg turns
# the PGS pictures into DVD ones), the same boxes at the text cues' times (gen-pgs.mjs), over
# a plain picture so that a box burnt in stands out.
f="$m/Night Ferry (2014).mkv"
if [ ! -s "$f" ]; then
    node "$(dirname "$0")/gen-pgs.mjs" "$out/nf.sup" "${size%x*}" "${size#*x}" "$dur"
    text="drawtext=fontfile=$font:fontcolor=white:x=20:y=20"
    fs=$(( ${size#*x} / 12 ))
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "color=c=0x203040:size=$size:rate=$rate:duration=$dur" \
        -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$dur" \
        -fix_sub_duration -i "$out/nf.sup" -map 0:v -map 1:a -map 2:s -map 2:s \
        -vf "$text:fontsize=$fs:text='Image subtitles',$text:fontsize=$((fs * 2)):y=h/3:text='%{pts\\:hms}'" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k -ac 2 \
        -c:s:0 copy -c:s:1 dvdsub -metadata:s:a:0 language=eng -metadata:s:s:0 language=eng \
        -metadata:s:s:1 language=fra -disposition:s:0 0 -f matroska "$f.part"
    mv "$f.part" "$f"
    rm -f "$out/nf.sup"
fi

# Chapters: an opening, two parts and the credits, named as a player shows them.
f="$m/Long Way (2016).mkv"
if [ ! -s "$f" ]; then
    ms=$((dur * 1000))
    {
        echo ";FFMETADATA1"
        at=(0 $((ms / 10)) $((ms / 2)) $((ms * 17 / 20)) "$ms")
        names=(Opening "Part One" "Part Two" Credits)
        for i in 0 1 2 3; do
            printf '[CHAPTER]\nTIMEBASE=1/1000\nSTART=%d\nEND=%d\ntitle=%s\n' \
                "${at[$i]}" "${at[$((i + 1))]}" "${names[$i]}"
        done
    } >"$out/lw.meta"
    text="drawtext=fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20"
    fs=$(( ${size#*x} / 12 ))
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=$size:rate=$rate:duration=$dur" \
        -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$dur" \
        -i "$out/lw.meta" -map 0:v -map 1:a -map_chapters 2 \
        -vf "$text:fontsize=$fs:text='Chapters',$text:fontsize=$((fs * 2)):y=h/2:text='%{pts\\:hms}'" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k -ac 2 \
        -metadata:s:a:0 language=eng -f matroska "$f.part"
    mv "$f.part" "$f"
    rm -f "$out/lw.meta"
fi

# A season whose episodes share a 15 s intro (the same tune and picture) at different
# offsets (5 s, 20 s and 12 s in), between material of their own (other tunes, the test
# pattern), as a show's opening follows a cold open, and end on the same 12 s of credits.
t="$out/TV/Tunes/Season 01"
mkdir -p "$t"
tune="0.5*sin(2*PI*t*440*pow(2,floor(mod(t*4,8))/12))+0.3*sin(2*PI*t*660*pow(2,floor(mod(t*3,5))/12))"
openings=(5 20 12)
ending="0.4*sin(2*PI*t*330*pow(2,floor(mod(t*5,6))/12))+0.3*sin(2*PI*t*523*pow(2,floor(mod(t*2,4))/12))"
# own N: a tune of its own, in another key and rhythm for each N.
own() { echo "0.5*sin(2*PI*t*$((200 + 53 * $1))*pow(2,floor(mod(t*$((2 + $1 % 4)),$((5 + $1 % 3))))/12))"; }
for e in 1 2 3; do
    f="$t/Tunes - S01E0$e - Part $e.mkv"
    [ -s "$f" ] && continue
    cold=${openings[$((e - 1))]}
    text="drawtext=fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20"
    fs=$(( ${size#*x} / 12 ))
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=$size:rate=$rate:duration=$cold" \
        -f lavfi -i "aevalsrc='$(own "$e")':s=48000:d=$cold" \
        -f lavfi -i "color=c=0x602060:size=$size:rate=$rate:duration=15" \
        -f lavfi -i "aevalsrc='$tune':s=48000:d=15" \
        -f lavfi -i "testsrc2=size=$size:rate=$rate:duration=30" \
        -f lavfi -i "aevalsrc='$(own $((e + 3)))':s=48000:d=30" \
        -f lavfi -i "color=c=0x206060:size=$size:rate=$rate:duration=12" \
        -f lavfi -i "aevalsrc='$ending':s=48000:d=12" \
        -filter_complex "[2:v]$text:fontsize=$((fs * 2)):y=h/3:text='INTRO'[iv];[6:v]$text:fontsize=$((fs * 2)):y=h/3:text='CREDITS'[ev];[3:a]aformat=channel_layouts=stereo[ia];[1:a]aformat=channel_layouts=stereo[ca];[5:a]aformat=channel_layouts=stereo[ra];[7:a]aformat=channel_layouts=stereo[ea];[0:v][ca][iv][ia][4:v][ra][ev][ea]concat=n=4:v=1:a=1[v][a];[v]$text:fontsize=$fs:text='Tunes S01E0$e',$text:fontsize=$((fs * 2)):y=h/2:text='%{pts\\:hms}'[vv]" \
        -map "[vv]" -map "[a]" -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 \
        -c:a aac -b:a 128k -metadata:s:a:0 language=eng -f matroska "$f.part"
    mv "$f.part" "$f"
done

s="$out/TV/Demo Show/Season 01"
for e in 1 2 3; do
    names=(Pilot Second Finale)
    make "$s/Demo Show - S01E0$e - ${names[$((e - 1))]}.mp4" "Demo Show S01E0$e" "$size" stereo \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 48 -c:a aac -b:a 128k \
        -movflags +faststart -f mp4
done
