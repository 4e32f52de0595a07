#!/usr/bin/env bash
# A viewer's 1 MiB ranges and a user's sign-ins from 127.0.0.2, alone, then while four
# clients at 127.0.0.1 sign in over and over (each an argon2id hash), then while 127.0.0.1
# holds HELD (default 8,300) connections trickling their heads; one client opens and drops
# event streams throughout. p50 and p99 of each, and the ratios. REQUESTS ranges per phase
# (default 200). Printed, not asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build}
root=$(cd "$here/.." && pwd)
work=$(mktemp -d /tmp/reel-bench-attack-XXXXXX)
trap 'reel_stop 2>/dev/null; rm -rf "$work"' EXIT
size=$(stat -c %s "$(big_mp4 "$work" 100)")
reel_start "$root/$build/reel" "$work/data" "$work/lib" ${REEL_ARGS:-}
token=$(reel_token)
reel_wait_scan "$token"
id=$(curl -s -H "Authorization: Bearer $token" "$REEL_URL/api/v1/library/items" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["movies"][0]["files"][0]["id"])')
ADMIN_PASSWORD=$ADMIN_PASSWORD python3 "$here/attack.py" "$REEL_URL" "$token" "$size" "$id"
