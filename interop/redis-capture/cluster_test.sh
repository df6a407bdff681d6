#!/usr/bin/env bash
# A two-node cluster on one Redis backplane, each node hubspec-server or ASP.NET Core 10: every kind of
# cross-node send (All, Others, Group, OthersInGroup, User, Client(id), a client result, group add and
# remove for a connection on the other node) both ways, over every transport x protocol (in a mixed cluster
# also to Microsoft's .NET client on node 1: a client result, and an Echo it answers), each delivered
# exactly once where it should be and nowhere else (js/backplane-drive.mjs); `hubspec backplane-check`
# watches the traffic live and checks the capture afterwards (RB-*). With --restart-redis, Redis is
# restarted between two rounds of sends instead: the second round must lose nothing, and each
# hubspec node must have logged the outage and its end.
#   interop/redis-capture/cluster_test.sh aspnetcore|hubspec aspnetcore|hubspec [--restart-redis]
# Exit 77 (skipped) when a tool is missing, unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind1=$1
kind2=$2
restart=${3:-}
tools=(node redis-server redis-cli)
[ "$kind1" = aspnetcore ] || [ "$kind2" = aspnetcore ] && tools+=(dotnet)
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: $tool missing and HUBSPEC_REQUIRE_INTEROP=1"; exit 1; fi
    echo "SKIP: $tool missing"; exit 77
  fi
done
hubspec=${HUBSPEC:-$(cd "$here/../.." && pwd)/build/default/bin/hubspec}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

if [ "$restart" = --restart-redis ]; then
  "$here/capture.sh" "$work" --node1 "$kind1" --node2 "$kind2" --restart-redis || fail "a message was lost or duplicated across the Redis restart"
  for n in 1 2; do
    kind=$kind1; [ $n = 2 ] && kind=$kind2
    [ "$kind" = hubspec ] || continue
    grep -q 'RB-074.*unreachable' "$work/node$n.log" || fail "hubspec node $n did not log the outage"
    grep -q 'RB-073.*is back: subscribed again' "$work/node$n.log" || fail "hubspec node $n did not log its resubscription"
  done
else
  # Microsoft's .NET client joins node 1 in a mixed cluster (the JS client is on both nodes).
  dotnet_args=()
  [ "$kind1" = aspnetcore ] || [ "$kind2" = aspnetcore ] && dotnet_args=(-- --dotnet)
  "$here/capture.sh" "$work" --node1 "$kind1" --node2 "$kind2" --matrix --watch "${dotnet_args[@]}" ||
    fail "a delivery went wrong"
  [ "$(cat "$work/watch.status" 2>/dev/null)" = 0 ] || fail "backplane-check, watching live, found problems"
  "$hubspec" backplane-check --monitor-log "$work/monitor.log" >"$work/check.txt" || fail "backplane-check of the capture found problems"
  cat "$work/check.txt" "$work/watch.txt"
fi
grep -c '"ok":true' "$work/drive.log" | sed 's/^/deliveries checked: /'
if [ $status -ne 0 ]; then
  kept=$(mktemp -d /tmp/hubspec-cluster-failure.XXXXXX)
  cp -r "$work"/. "$kept"/ && echo "the whole run is kept in $kept"
  grep '"ok":false' "$work/drive.log"
  cat "$work/watch.txt" "$work/check.txt" 2>/dev/null
  tail -n 20 "$work"/node*.log
fi
exit $status
