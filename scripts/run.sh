#!/usr/bin/env bash
# Runs the api and one worker together; Ctrl-C (or SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export STORAGE_URL=${STORAGE_URL:-file://./data}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export VIPS_BLOCK_UNTRUSTED=1
# The api creates and migrates the database; the worker only checks it, so
# it starts once the schema is in place.
BIN=${BIN:-./bin}
"$BIN/api" migrate
"$BIN/api" & api=$!
"$BIN/worker" & worker=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait' INT TERM
echo "augment is on http://127.0.0.1${HTTP_ADDR:-:8000}/ (Ctrl-C stops it)"
wait -n $api $worker || true
kill -TERM $api $worker 2>/dev/null || true
wait
