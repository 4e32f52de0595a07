#!/usr/bin/env bash
# Starts Reel for `make run`: the demo library when no library is configured, and an
# administrator whose password is made once and kept in the data folder.
set -euo pipefail
bin=$1 data=$2 demo=$3 listen=$4

mkdir -p "$data"
if [ -z "${REEL_LIBRARY:-}" ]; then
    echo "reel: no REEL_LIBRARY given; using the demo library in '$demo' (made on the first run)"
    "$(dirname "$0")/gen-media.sh" "$demo"
    export REEL_LIBRARY=$demo
fi
export REEL_ADMIN_USER=${REEL_ADMIN_USER:-admin}
if [ -z "${REEL_ADMIN_PASSWORD:-}" ]; then
    pwfile="$data/admin-password"
    [ -s "$pwfile" ] || (umask 077 && head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$pwfile")
    REEL_ADMIN_PASSWORD=$(cat "$pwfile")
    export REEL_ADMIN_PASSWORD
    echo "reel: sign in at http://$listen as '$REEL_ADMIN_USER' with the password in $pwfile:"
    echo "      $REEL_ADMIN_PASSWORD"
fi
exec "$bin" --listen "$listen" --data "$data"
