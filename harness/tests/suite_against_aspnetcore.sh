#!/usr/bin/env bash
# The whole suite against Microsoft's ASP.NET Core server (interop/aspnetcore), started with
# the same short timings the embedded server uses. Where ASP.NET Core departs from the spec
# digest, interop/aspnetcore/expected-deviations.yaml says so (hubspec --expect): the test
# fails on a new failure and on a deviation that went away.
#   suite_against_aspnetcore.sh HUBSPEC INTEROP_DIR OUT_DIR
set -uo pipefail
hubspec=$1 interop=$2 out=$3

if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: dotnet missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
  echo "SKIP: dotnet missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
fi
mkdir -p "$out"
timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
         --long-poll-timeout-ms 5000)
exec 3< <(exec "$interop/aspnetcore/run" --listen 127.0.0.1:0 "${timings[@]}" --detailed-errors 2>"$out/aspnetcore.log")
peer_pid=$!
trap 'kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null' EXIT
if ! read -r -t 300 line <&3 || [[ "$line" != "listening on http://"* ]]; then
  echo "FAIL: the ASP.NET Core peer did not start (see $out/aspnetcore.log)" >&2
  cat "$out/aspnetcore.log" >&2
  exit 1
fi
url=${line#listening on }/conformance
"$hubspec" run "$url" "${timings[@]}" --expect "$interop/aspnetcore/expected-deviations.yaml" --out "$out"
