#!/usr/bin/env bash
# The whole suite against Microsoft's ASP.NET Core server (interop/aspnetcore).
#   suite_against_aspnetcore.sh HUBSPEC INTEROP_DIR OUT_DIR [conformance|chat]
# conformance (default): the contract hub, peer and hubspec at the same short timings the
#   embedded server uses; where ASP.NET Core departs from the spec digest,
#   interop/aspnetcore/expected-deviations.yaml says so (hubspec --expect): the test fails on
#   a new failure and on a deviation that went away.
# chat: a hub that does not implement the contract (/chat: SendMessage only), peer and hubspec
#   at their defaults, no expectations: every verdict must hold without the contract (issue 11),
#   and the report must say how much of the catalogue was checked.
set -uo pipefail
hubspec=$1 interop=$2 out=$3 mode=${4:-conformance}

if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: dotnet missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
  echo "SKIP: dotnet missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
fi
case $mode in
  conformance)
    timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
             --long-poll-timeout-ms 5000)
    peer_args=("${timings[@]}" --detailed-errors)
    run_args=("${timings[@]}" --expect "$interop/aspnetcore/expected-deviations.yaml")
    path=/conformance ;;
  chat)
    peer_args=() run_args=(--parallel "${HUBSPEC_CHAT_PARALLEL:-16}") path=/chat ;;
  *) echo "usage: $0 HUBSPEC INTEROP_DIR OUT_DIR [conformance|chat]" >&2; exit 2 ;;
esac
mkdir -p "$out"
exec 3< <(exec "$interop/aspnetcore/run" --listen 127.0.0.1:0 "${peer_args[@]}" 2>"$out/aspnetcore.log")
peer_pid=$!
trap 'kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null' EXIT
if ! read -r -t 300 line <&3 || [[ "$line" != "listening on http://"* ]]; then
  echo "FAIL: the ASP.NET Core peer did not start (see $out/aspnetcore.log)" >&2
  cat "$out/aspnetcore.log" >&2
  exit 1
fi
url=${line#listening on }$path
"$hubspec" run "$url" "${run_args[@]}" --out "$out"
status=$?
if [ "$mode" = chat ] && [ $status -eq 0 ]; then
  # the profile and the coverage, as a user reads them in results.json
  if ! grep -q '"name": "contract-free"' "$out/results.json" || ! grep -q '"requirements_checked": [1-9]' "$out/results.json"; then
    echo "FAIL: results.json does not report the contract-free profile with the requirements it checked" >&2
    exit 1
  fi
fi
exit $status
