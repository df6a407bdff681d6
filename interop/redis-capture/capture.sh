#!/usr/bin/env bash
# Runs two nodes on one Redis backplane — ASP.NET Core 10 (interop/aspnetcore --redis), hubspec-server
# --redis, or one of each — while Microsoft's JS client drives every kind of cross-node send through
# them (js/backplane-drive.mjs), and captures what they put on Redis: the real bytes that check
# shared/spec/redis-backplane.md (its §14), hubspec's test vectors, and the mixed-cluster tests
# (issue 13). Loopback only; redis-server is started here on a free port and stopped afterwards.
#   interop/redis-capture/capture.sh OUT_DIR [--prefix P] [--node1 aspnetcore|hubspec]
#       [--node2 aspnetcore|hubspec] [--restart-redis] [--matrix] [--watch] [-- DRIVER_ARGS...]
# OUT_DIR gets monitor.log (every Redis command, MONITOR's escaped form), backplane.log (the
# SUBSCRIBE, UNSUBSCRIBE and PUBLISH lines of it), channels.txt (PUBSUB CHANNELS once the clients
# left), drive.log (the driver's verdicts) and node1.log/node2.log. --prefix: both nodes use that
# ChannelPrefix. Nodes are ASP.NET Core unless told; a hubspec node keys its hubs by the ASP.NET
# Core peer's class names. --restart-redis: Redis is restarted between two rounds of sends (the
# driver's --between), and the later round must lose nothing. --matrix: the driver runs once per
# transport x protocol (Alice JSON and Bob MessagePack, then the other way round; JSON both over
# Server-Sent Events) on the same nodes.
# --watch: `hubspec backplane-check` watches Redis live all along (watch.txt, its exit in
# watch.status). HUBSPEC_SERVER, HUBSPEC: the binaries (default: build/default/bin/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
interop=$(cd "$here/.." && pwd)
out=$1
shift
prefix_args=()
prefix=
kinds=(aspnetcore aspnetcore)
restart=0
matrix=0
watch=0
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=$2; prefix_args=(--redis-channel-prefix "$2"); shift 2 ;;
    --node1) kinds[0]=$2; shift 2 ;;
    --node2) kinds[1]=$2; shift 2 ;;
    --restart-redis) restart=1; shift ;;
    --matrix) matrix=1; shift ;;
    --watch) watch=1; shift ;;
    --) shift; break ;;
    *) echo "capture: unknown argument $1" >&2; exit 2 ;;
  esac
done
driver_args=("$@")
bin=$(cd "$interop/.." && pwd)/build/default/bin
hubspec_server=${HUBSPEC_SERVER:-$bin/hubspec-server}
hubspec=${HUBSPEC:-$bin/hubspec}
mkdir -p "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >>"$out/redis.log" 2>&1 &
  for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" MONITOR >>"$out/monitor.log" &
  pids+=($!)
  # MONITOR sees only what comes after it attached; a hubspec node subscribes within milliseconds.
  for _ in $(seq 100); do redis-cli -p "$port" CLIENT LIST | grep -q 'cmd=monitor' && break; sleep 0.05; done
}
start_redis
if [ $watch = 1 ]; then
  prefix_watch=()
  [ -n "$prefix" ] && prefix_watch=(--prefix "$prefix")
  "$hubspec" backplane-check "redis://127.0.0.1:$port" "${prefix_watch[@]}" >"$out/watch.txt" 2>&1 &
  watch_pid=$!
  pids+=($watch_pid)
  for _ in $(seq 100); do [ "$(redis-cli -p "$port" CLIENT LIST | grep -c 'cmd=monitor')" -ge 2 ] && break; sleep 0.05; done
fi

start_node() { # start_node N: sets node_origin
  if [ "${kinds[$1-1]}" = hubspec ]; then
    exec {fd}< <(exec "$hubspec_server" --listen 127.0.0.1:0 --redis "127.0.0.1:$port" "${prefix_args[@]}" \
      --hub-type-name /conformance=Hubspec.Interop.AspNetCore.ConformanceHub \
      --hub-type-name /chat=Hubspec.Interop.AspNetCore.ChatHub 2>"$out/node$1.log")
  else
    exec {fd}< <(exec "$interop/aspnetcore/run" --listen 127.0.0.1:0 --redis "127.0.0.1:$port" "${prefix_args[@]}" \
      2>"$out/node$1.log")
  fi
  pids+=($!)
  read -r -t 300 line <&$fd || { echo "capture: node $1 did not start: $(cat "$out/node$1.log")" >&2; exit 1; }
  node_origin=${line#listening on }
}
start_node 1
node1=$node_origin
start_node 2
node2=$node_origin

# Both nodes hold the hub's all channel before the driver starts (ASP.NET Core subscribes as it starts).
all_channel="${prefix}Hubspec.Interop.AspNetCore.ConformanceHub:all"
wait_for_nodes() {
  for _ in $(seq 300); do
    [ "$(redis-cli -p "$port" PUBSUB NUMSUB "$all_channel" 2>/dev/null | tail -1)" = 2 ] && return 0
    sleep 0.1
  done
  echo "capture: the nodes did not subscribe $all_channel again" >&2
  return 1
}
wait_for_nodes
if [ $restart = 1 ]; then
  # Redis goes away and comes back on the same port; the nodes must subscribe everything again (RB-073).
  restart_command="redis-cli -p $port SHUTDOWN NOSAVE >/dev/null 2>&1; sleep 1; \
    redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no >>'$out/redis.log' 2>&1 & \
    for _ in \$(seq 100); do redis-cli -p $port PING >/dev/null 2>&1 && break; sleep 0.1; done; \
    (redis-cli -p $port MONITOR >>'$out/monitor.log' &); \
    for _ in \$(seq 300); do [ \"\$(redis-cli -p $port PUBSUB NUMSUB '$all_channel' | tail -1)\" = 2 ] && exit 0; sleep 0.1; done; \
    echo 'the nodes did not subscribe again within 30 s' >&2; exit 1"
  driver_args+=(--between "$restart_command")
fi

status=0
if [ $matrix = 1 ]; then
  : >"$out/drive.log"
  # Server-Sent Events carry text only: both clients speak JSON there.
  for cell in "WebSockets json messagepack" "WebSockets messagepack json" "ServerSentEvents json json" \
              "LongPolling json messagepack" "LongPolling messagepack json"; do
    read -r transport alice bob <<<"$cell"
    node "$interop/js/backplane-drive.mjs" --node1 "$node1" --node2 "$node2" --transport "$transport" \
      --alice-protocol "$alice" --bob-protocol "$bob" "${driver_args[@]}" >>"$out/drive.log" || status=$?
  done
else
  node "$interop/js/backplane-drive.mjs" --node1 "$node1" --node2 "$node2" "${driver_args[@]}" >"$out/drive.log" ||
    status=$?
fi
redis-cli -p "$port" PUBSUB CHANNELS '*' | sort >"$out/channels.txt"
# MONITOR prints asynchronously: the capture is complete once a marker sent last is in the file.
redis-cli -p "$port" ECHO hubspec-capture-end >/dev/null
timeout 10 tail -n +1 -f "$out/monitor.log" | grep -q -m1 hubspec-capture-end || true
grep -E '"(SUBSCRIBE|UNSUBSCRIBE|PUBLISH)"' "$out/monitor.log" >"$out/backplane.log" || true
if [ $watch = 1 ]; then
  kill -INT "$watch_pid" 2>/dev/null || true
  watch_status=0
  wait "$watch_pid" || watch_status=$?
  echo $watch_status >"$out/watch.status"
fi
echo "capture: $(wc -l <"$out/backplane.log") backplane commands in $out/backplane.log; driver exit $status"
exit $status
