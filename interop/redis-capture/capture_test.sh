#!/usr/bin/env bash
# Captures two ASP.NET Core 10 nodes on one Redis backplane afresh, without and with a channel
# prefix, and checks every payload against shared/spec/redis-backplane.md (check_capture.py):
# the digest stays true for the pinned Microsoft.AspNetCore.SignalR.StackExchangeRedis.
# Exit 77 (skipped) without dotnet or node unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in dotnet node redis-server redis-cli; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: $tool missing and HUBSPEC_REQUIRE_INTEROP=1"; exit 1; fi
    echo "SKIP: $tool missing"; exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
"$here/capture.sh" "$work/plain" && /usr/bin/python3 "$here/check_capture.py" "$work/plain/backplane.log" || status=1
"$here/capture.sh" "$work/prefixed" --prefix app1 &&
  /usr/bin/python3 "$here/check_capture.py" "$work/prefixed/backplane.log" --prefix app1 || status=1
[ $status -eq 0 ] || { cat "$work"/*/drive.log; tail -20 "$work"/*/node*.log; }
exit $status
