#!/usr/bin/env bash
# Installs the Debian 12 packages Reel builds, runs and tests with. Idempotent: a package
# that is already installed is skipped, and apt is not touched when nothing is missing.
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
    libmicrohttpd-dev libjansson-dev uthash-dev libsqlite3-dev libpq-dev libsodium-dev
    libavformat-dev libavcodec-dev libavutil-dev ffmpeg fonts-dejavu-core
    libcmocka-dev libcurl4-openssl-dev chromium
    # Native HLS clients for the tests: mpv, and GStreamer's playbin3 driven from Python.
    mpv python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gstreamer1.0-plugins-base
    gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
    # make deb and its test: dpkg-buildpackage with debhelper, and systemd-analyze to check
    # the unit.
    dpkg-dev debhelper systemd
)
# Node.js and npm for the web app's build step and browser tests; a machine that has them
# from elsewhere keeps its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "${1:-}" = "--bench" ]; then
    packages+=(nginx-light wrk python3 curl)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
