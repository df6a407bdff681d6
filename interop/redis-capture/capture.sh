#!/usr/bin/env bash
# Captures what two ASP.NET Core 10 nodes (interop/aspnetcore --redis) put on one Redis backplane
# while Microsoft's JS client drives every kind of cross-node send through them
# (js/backplane-drive.mjs): the real bytes that check shared/spec/redis-backplane.md (its §14)
# and become hubspec's test vectors (issue 13). Loopback only; redis-server is started here
# on a free port and stopped afterwards.
#   interop/redis-capture/capture.sh OUT_DIR [CHANNEL_PREFIX]
# OUT_DIR gets monitor.log (every Redis command, MONITOR's escaped form), backplane.log (the
# SUBSCRIBE, UNSUBSCRIBE and PUBLISH lines of it), channels.txt (PUBSUB CHANNELS once the clients
# left) and drive.log (the driver's verdicts). CHANNEL_PREFIX: both nodes use that ChannelPrefix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
interop=$(cd "$here/.." && pwd)
out=$1
prefix_args=()
[ -n "${2:-}" ] && prefix_args=(--redis-channel-prefix "$2")
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" MONITOR >"$out/monitor.log" &
pids+=($!)

start_node() { # start_node N: sets node_origin
  exec {fd}< <(exec "$interop/aspnetcore/run" --listen 127.0.0.1:0 --redis "127.0.0.1:$port" "${prefix_args[@]}" \
    2>"$out/node$1.log")
  pids+=($!)
  read -r -t 300 line <&$fd || { echo "capture: node $1 did not start: $(cat "$out/node$1.log")" >&2; exit 1; }
  node_origin=${line#listening on }
}
start_node 1
node1=$node_origin
start_node 2
node2=$node_origin

status=0
node "$interop/js/backplane-drive.mjs" --node1 "$node1" --node2 "$node2" >"$out/drive.log" || status=$?
redis-cli -p "$port" PUBSUB CHANNELS '*' | sort >"$out/channels.txt"
# MONITOR prints asynchronously: the capture is complete once a marker sent last is in the file.
redis-cli -p "$port" ECHO hubspec-capture-end >/dev/null
timeout 10 tail -n +1 -f "$out/monitor.log" | grep -q -m1 hubspec-capture-end || true
grep -E '"(SUBSCRIBE|UNSUBSCRIBE|PUBLISH)"' "$out/monitor.log" >"$out/backplane.log" || true
echo "capture: $(wc -l <"$out/backplane.log") backplane commands in $out/backplane.log; driver exit $status"
exit $status
