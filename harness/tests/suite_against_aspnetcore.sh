#!/usr/bin/env bash
# The whole suite against one of Microsoft's ASP.NET Core servers of interop/.
#   suite_against_aspnetcore.sh HUBSPEC INTEROP_DIR OUT_DIR [MODE]
# conformance (default): interop/aspnetcore, the contract hub, peer and hubspec at the same short
#   timings the embedded server uses; where ASP.NET Core departs from the spec digest,
#   interop/aspnetcore/expected-deviations.yaml says so (hubspec --expect): the test fails on
#   a new failure and on a deviation that went away.
# chat: a hub that does not implement the contract (interop/aspnetcore's /chat: SendMessage only),
#   peer and hubspec at their defaults, no expectations: every verdict must hold without the
#   contract (issue 11), and the report must say how much of the catalogue was checked.
# aspnetcore2, stock, stock-newtonsoft: ASP.NET Core 2.x (interop/aspnetcore2), the stock ASP.NET
#   Core 10 app (interop/aspnetcore-stock) with System.Text.Json or Newtonsoft.Json, server and
#   hubspec at their default timings, against that peer's expectations file (issue 11 item 7).
# Before the run, `hubspec probe` must report each server's configuration as it is set up.
set -uo pipefail
hubspec=$1 interop=$2 out=$3 mode=${4:-conformance}

if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: dotnet missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
  echo "SKIP: dotnet missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
fi
peer=$interop/aspnetcore/run path=/conformance
# Default timings make the longest cells sit out a 90 s poll or a 30 s client timeout: run many at once.
default_timings_parallel=(--parallel "${HUBSPEC_DEFAULT_TIMINGS_PARALLEL:-16}")
case $mode in
  conformance)
    timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
             --long-poll-timeout-ms 5000)
    peer_args=("${timings[@]}" --detailed-errors)
    run_args=("${timings[@]}" --expect "$interop/aspnetcore/expected-deviations.yaml") ;;
  chat)
    peer_args=() run_args=("${default_timings_parallel[@]}") path=/chat ;;
  aspnetcore2)
    # 2.x serves JSON only (no MessagePack package of its version exists): detected, not a deviation.
    peer=$interop/aspnetcore2/run peer_args=()
    run_args=("${default_timings_parallel[@]}" --expect "$interop/aspnetcore2/expected-deviations.yaml") ;;
  stock)
    peer=$interop/aspnetcore-stock/run peer_args=()
    run_args=("${default_timings_parallel[@]}" --expect "$interop/aspnetcore-stock/expected-deviations.yaml") ;;
  stock-newtonsoft)
    # Only the JSON cells: MessagePack is the same System.Text.Json-free code as in `stock`.
    peer=$interop/aspnetcore-stock/run peer_args=(--json newtonsoft)
    run_args=("${default_timings_parallel[@]}" --protocol json
              --expect "$interop/aspnetcore-stock/expected-deviations-newtonsoft.yaml") ;;
  *) echo "usage: $0 HUBSPEC INTEROP_DIR OUT_DIR [conformance|chat|aspnetcore2|stock|stock-newtonsoft]" >&2; exit 2 ;;
esac
mkdir -p "$out"
exec 3< <(exec "$peer" --listen 127.0.0.1:0 "${peer_args[@]}" 2>"$out/aspnetcore.log")
peer_pid=$!
trap 'kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null' EXIT
if ! read -r -t 300 line <&3 || [[ "$line" != "listening on http://"* ]]; then
  echo "FAIL: the ASP.NET Core peer did not start (see $out/aspnetcore.log)" >&2
  cat "$out/aspnetcore.log" >&2
  exit 1
fi
url=${line#listening on }$path
# What `hubspec probe` must find on this server, configured as the peer is (issue 11, item 2).
probe_args=()
case $mode in
  conformance) facts=(token=true stateful=true json=accepted messagepack=accepted keepalive=700..2500 parallel=false
                      "run-has=--keepalive-ms ") ;;
  chat) facts=(token=true stateful=false json=accepted messagepack=accepted keepalive=14000..17000
               parallel=unknown "run-has=--keepalive-ms 15000") ;;
  aspnetcore2) facts=(negotiate-version=0 token=false stateful=false json=accepted messagepack=refused
                      keepalive=14000..17000) ;;
  stock) facts=(token=true stateful=false json=accepted messagepack=accepted keepalive=14000..17000 parallel=true
                "run-has=--parallel-invocations") ;;
  stock-newtonsoft) facts=(json=accepted keepalive=unknown) probe_args=(--keepalive-wait-ms 300) ;; # measured in `stock`
esac
if ! "$hubspec" probe "$url" --json "${probe_args[@]}" >"$out/probe.json" 2>"$out/probe.err"; then
  echo "FAIL: hubspec probe $url: $(cat "$out/probe.err")" >&2
  exit 1
fi
python3 "$(dirname "$0")/probe_facts.py" "$out/probe.json" "${facts[@]}" || exit 1
started=$SECONDS
"$hubspec" run "$url" "${run_args[@]}" --out "$out"
status=$?
echo "suite against $mode: $((SECONDS - started)) s"
if [ "$mode" = chat ] && [ $status -eq 0 ]; then
  # the profile and the coverage, as a user reads them in results.json
  if ! grep -q '"name": "contract-free"' "$out/results.json" || ! grep -q '"requirements_checked": [1-9]' "$out/results.json"; then
    echo "FAIL: results.json does not report the contract-free profile with the requirements it checked" >&2
    exit 1
  fi
fi
exit $status
