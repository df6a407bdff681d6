#!/usr/bin/env bash
# `hubspec run URL --node URL2` (issue 13, item 3) against real clusters on a redis-server started here:
# two hubspec-server nodes, and with --mixed hubspec-server beside ASP.NET Core 10 (interop/aspnetcore
# --redis) both ways round. Every scaleout cell passes (SSE x MessagePack skipped), the one where Redis
# drops every node's subscriber connection (--redis) included, each node's hub keyed by the ASP.NET Core
# peer's class name; without --node the same scenarios skip, saying they need a cluster. (A cluster that breaks delivery on purpose is the violations proof's: backplane-* switches.)
# With --password, Redis wants a password (requirepass): the nodes, the run and backplane-check give it in
# redis://:PASSWORD@HOST:PORT, and a wrong one is named as refused.
#   scaleout_test.sh HUBSPEC HUBSPEC_SERVER [--mixed | --password]
# Exit 77 (skipped) without redis-server, or without dotnet for --mixed, unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
hubspec=$1 server=$2 mixed=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
tools=(redis-server redis-cli)
[ "$mixed" = --mixed ] && tools+=(dotnet)
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: $tool missing and HUBSPEC_REQUIRE_INTEROP=1"; exit 1; fi
    echo "SKIP: $tool missing"; exit 77
  fi
done
work=$(mktemp -d)
pids=()
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

password_args=()
credentials=
if [ "$mixed" = --password ]; then
  password_args=(--requirepass s3cret)
  credentials=:s3cret@
  export REDISCLI_AUTH=s3cret # for the redis-cli calls below
fi
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no "${password_args[@]}" >"$work/redis.log" 2>&1 &
for _ in $(seq 100); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done

timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
         --long-poll-timeout-ms 5000)
start_node() { # start_node NAME hubspec|aspnetcore: sets origin
  local name=$1 kind=$2
  if [ "$kind" = hubspec ]; then
    exec {fd}< <(exec "$server" --listen 127.0.0.1:0 "${timings[@]}" --redis "redis://${credentials}127.0.0.1:$port" \
      --hub-type-name /conformance=Hubspec.Interop.AspNetCore.ConformanceHub 2>"$work/$name.log")
  else
    exec {fd}< <(exec "$here/../../interop/aspnetcore/run" --listen 127.0.0.1:0 "${timings[@]}" \
      --redis "127.0.0.1:$port" 2>"$work/$name.log")
  fi
  pids+=($!)
  read -r -t 300 line <&$fd || { echo "FAIL: node $name did not start: $(cat "$work/$name.log")"; exit 1; }
  origin=${line#listening on }
}

# run_pair NAME ORIGIN1 ORIGIN2: every scaleout cell passes, the Redis fault one included; only SSE x
# MessagePack skips (SSE-009).
run_pair() {
  local name=$1 first=$2 second=$3
  "$hubspec" run "$first/conformance" --node "$second/conformance" --redis "redis://${credentials}127.0.0.1:$port" \
    --filter 'scaleout.*' "${timings[@]}" --out "$work/$name" >"$work/$name.txt" 2>&1
  local status=$?
  grep -E '^[0-9]+ passed' "$work/$name.txt" | sed "s/^/$name: /"
  [ $status = 0 ] || { fail "$name: exit $status"; cat "$work/$name.txt"; }
  /usr/bin/python3 - "$work/$name/results.json" <<'PY' || fail "$name: a scaleout cell did not pass"
import json, sys
cells = [(s["id"], c) for s in json.load(open(sys.argv[1]))["scenarios"] for c in s["cells"]]
bad = [(i, c["outcome"], c.get("reason", ""), (c.get("failure") or {}).get("seen", ""))
       for i, c in cells if c["outcome"] != "pass" and not (c["outcome"] == "skip" and "SSE-009" in c.get("reason", ""))]
for b in bad:
    print("  not passed:", *b)
fault = [c for i, c in cells if i == "scaleout.after-redis-drops-the-nodes-later-messages-arrive"]
sys.exit(1 if bad or len(cells) < 40 or not fault else 0)
PY
}

if [ "$mixed" = --mixed ]; then
  start_node aspnetcore aspnetcore
  aspnetcore=$origin
  start_node hubspec hubspec
  hubspec_node=$origin
  run_pair "aspnetcore-then-hubspec" "$aspnetcore" "$hubspec_node"
  run_pair "hubspec-then-aspnetcore" "$hubspec_node" "$aspnetcore"
else
  start_node one hubspec
  one=$origin
  start_node two hubspec
  two=$origin
  run_pair "hubspec-pair${credentials:+-with-password}" "$one" "$two"
fi
if [ "$mixed" = --password ]; then
  # The wrong password: the node says Redis refused it, backplane-check stops naming AUTH.
  credentials=:wrong@
  start_node wrong hubspec
  for _ in $(seq 50); do grep -q 'refused the credentials' "$work/wrong.log" && break; sleep 0.1; done
  grep -q 'refused the credentials' "$work/wrong.log" || fail "a node given the wrong password does not say so: $(cat "$work/wrong.log")"
  "$hubspec" backplane-check "redis://:wrong@127.0.0.1:$port" --duration 1 >"$work/check.txt" 2>&1
  status=$?
  [ $status = 2 ] && grep -q 'refused AUTH' "$work/check.txt" ||
    fail "backplane-check with the wrong password: exit $status, $(cat "$work/check.txt")"
  "$hubspec" backplane-check "redis://:s3cret@127.0.0.1:$port" --duration 1 >"$work/check-ok.txt" 2>&1 ||
    fail "backplane-check with the password: $(cat "$work/check-ok.txt")"
elif [ -z "$mixed" ]; then
  # One node known: the theme skips and says why.
  "$hubspec" run "$one/conformance" --filter 'scaleout.*' "${timings[@]}" --out "$work/alone" >"$work/alone.txt" 2>&1 ||
    fail "without --node: exit $?"
  /usr/bin/python3 - "$work/alone/results.json" <<'PY' || fail "without --node the scaleout cells do not all skip naming --node"
import json, sys
cells = [c for s in json.load(open(sys.argv[1]))["scenarios"] for c in s["cells"]]
bad = [c for c in cells if c["outcome"] != "skip" or "--node" not in c.get("reason", "")]
print(f"without --node: {len(cells)} cells, {len(cells) - len(bad)} skipped naming --node")
sys.exit(1 if bad or not cells else 0)
PY
fi
[ $failures = 0 ] || tail -n 20 "$work"/*.log
exit $(( failures > 0 ))
