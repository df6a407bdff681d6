#!/usr/bin/env bash
# `hubspec probe` against hubspec-server configured in ways the probe must tell apart (issue 11,
# item 2): its own keep-alive interval, an endpoint without WebSockets, a negotiate reply with
# misspelt transports, a server without Pings; then its exit status for a path that is not a hub
# and for a port where nothing listens.
#   probe_test.sh HUBSPEC HUBSPEC_SERVER
set -uo pipefail
hubspec=$1 server=$2
facts=$(dirname "$0")/probe_facts.py
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

start_server() { # start_server ARGS...: sets $origin
  [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
  exec 3< <(exec "$server" --listen 127.0.0.1:0 "$@" 2>>"$work/server.log")
  server_pid=$!
  read -r -t 30 line <&3 || { echo "FAIL: hubspec-server did not start"; cat "$work/server.log"; exit 1; }
  origin=${line#listening on }
}

probe() { # probe NAME URL FACT...: runs the probe, checks its exit 0 and the facts
  local name=$1 url=$2
  shift 2
  echo "--- $name"
  if ! "$hubspec" probe "$url" --json --keepalive-wait-ms 6000 >"$work/$name.json" 2>"$work/$name.err"; then
    fail "$name: hubspec probe exited $? ($(cat "$work/$name.err"))"
    return
  fi
  python3 "$facts" "$work/$name.json" "$@" || failures=$((failures + 1))
}

start_server --keepalive-ms 2000
probe conformance "$origin/conformance" negotiate-version=1 token=true \
  transports=WebSockets,ServerSentEvents,LongPolling stateful=true json=accepted messagepack=accepted \
  keepalive=1500..3000 parallel=false auth=false "run-has=--keepalive-ms 2000"
probe no-websockets "$origin/conformance-nows" transports=ServerSentEvents,LongPolling json=accepted \
  messagepack=accepted keepalive=1500..3000
probe auth "$origin/conformance-auth" auth=true "run-has=--endpoint token="
# The text for people names what it found.
"$hubspec" probe "$origin/conformance" --keepalive-wait-ms 6000 >"$work/human.txt" 2>&1
grep -q "^keep-alive [0-9]* ms" "$work/human.txt" || fail "the text report has no measured keep-alive: $(cat "$work/human.txt")"
grep -q "^  hubspec run $origin/conformance" "$work/human.txt" || fail "the text report has no run line"

start_server --keepalive-ms 2000 --violate negotiate-transport-names-wrong-case
probe wrong-case "$origin/conformance" transports=websockets,serversentevents,longpolling defect=NEG-013

start_server --violate no-pings
probe no-pings "$origin/conformance" keepalive=unknown json=accepted

"$hubspec" probe "$origin/not-a-hub" >"$work/404.txt" 2>&1
status=$?
[ $status -eq 2 ] || fail "a path that is not a hub: exit $status, expected 2"
grep -q "answered 404" "$work/404.txt" || fail "a path that is not a hub: the error does not say 404: $(cat "$work/404.txt")"

"$hubspec" probe http://127.0.0.1:9/nothing-listens-here >"$work/none.txt" 2>&1
status=$?
[ $status -eq 2 ] || fail "nothing listening: exit $status, expected 2"
grep -q "no SignalR endpoint" "$work/none.txt" || fail "nothing listening: unclear error: $(cat "$work/none.txt")"

[ $failures -eq 0 ] && echo "probe: every fact holds"
exit $((failures > 0))
