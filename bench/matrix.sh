#!/usr/bin/env bash
# The browser matrix of the e2e suite (every title of the test library played in Chromium
# from its detail page, then seeked to 60 %), each title played RUNS times (default 3):
# prints one row per title with the median time to the first frame and from the seek to
# playing again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
REEL_MATRIX_RUNS=${RUNS:-3} REEL_BINARY="$root/$build/reel" \
    node --test --test-name-pattern "every title plays" "$root/tests/e2e/web.test.mjs" 2>&1 |
    grep -E '^# matrix:|^# (pass|fail)|^not ok' | sed 's/^# //'
