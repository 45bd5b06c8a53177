#!/usr/bin/env bash
# The front door, as a newcomer meets it: `npm start` on this checkout reaches /health/ready, serves its OpenAPI
# document, and Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every process it started.
# Run by .ci/run on the clean clone before the tests; exits non-zero, with the platform's output, on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd)"
PORT="${PORT:-3000}"
READY_LIMIT_S="${FRONT_DOOR_READY_LIMIT_S:-300}"
STOP_LIMIT_S="${FRONT_DOOR_STOP_LIMIT_S:-60}"
LOG="$(mktemp)"
API="http://127.0.0.1:${PORT}"

fail() {
  echo "front door: FAILED: $*" >&2
  echo "---- last lines of npm start ----" >&2
  tail -n 60 "$LOG" >&2 || true
  [ -n "${PGID:-}" ] && kill -KILL -- "-${PGID}" 2>/dev/null || true
  exit 1
}

# setsid: npm start gets a process group (and session) of its own, like a shell's foreground job.
setsid npm start >"$LOG" 2>&1 &
PGID=$!
echo "front door: npm start (process group ${PGID}), waiting up to ${READY_LIMIT_S} s for ${API}/health/ready"
started=$(date +%s)
until curl -sf "${API}/health/ready" 2>/dev/null | grep -q '"status":"ready"'; do
  kill -0 "$PGID" 2>/dev/null || fail "npm start exited before it was ready"
  [ $(( $(date +%s) - started )) -lt "$READY_LIMIT_S" ] || fail "not ready after ${READY_LIMIT_S} s"
  sleep 2
done
echo "front door: ready after $(( $(date +%s) - started )) s"

curl -sf "${API}/docs/json" | grep -q '"openapi"' || fail "${API}/docs/json is not an OpenAPI document"
grep -q "Operator API key" "$LOG" || fail "the start-up summary does not print the operator API key"
grep -q "Development wallets" "$LOG" || fail "the start-up summary does not list the development wallets"
curl -sf "${API}/" | grep -q '<div id="root">' || fail "the web app is not served at ${API}/"
curl -sf "${API}/market" | grep -q '<div id="root">' || fail "the web app's pages are not served (${API}/market)"
grep -q "Open the app" "$LOG" || fail "the start-up summary does not say what to open"

kill -INT -- "-${PGID}"
stopped=$(date +%s)
while [ -n "$(ps -o pid= -s "$PGID" 2>/dev/null)" ]; do
  [ $(( $(date +%s) - stopped )) -lt "$STOP_LIMIT_S" ] || fail "processes left ${STOP_LIMIT_S} s after SIGINT: $(ps -o pid=,args= -s "$PGID")"
  sleep 1
done
# Embedded PostgreSQL runs in a session of its own (it must not see the terminal's Ctrl-C before the platform has
# stopped using it), so look for it by its data folder.
sleep 1
left="$(pgrep -af "${REPO}/.data/" || true)"
[ -z "$left" ] || fail "processes left after SIGINT: ${left}"
curl -s -o /dev/null "${API}/health/live" && fail "something still answers on ${API} after SIGINT"
grep -q '"msg":"shutdown complete"' "$LOG" || fail "no 'shutdown complete' in the platform's log"
echo "front door: stopped cleanly in $(( $(date +%s) - stopped )) s, nothing left running"
rm -f "$LOG"
