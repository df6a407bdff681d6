#!/usr/bin/env bash
# Runs a node:test file against hubspec-server with Microsoft's JS client (interop/js).
#   run_node_test.sh HUBSPEC_SERVER INTEROP_DIR TEST_FILE
# Exit 77 (CTest skip) without node/npm unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
server=$1 interop=$2 test_file=$3

missing=()
for tool in node npm; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then
    echo "FAIL: interop toolchain missing (${missing[*]}) and HUBSPEC_REQUIRE_INTEROP=1" >&2
    exit 1
  fi
  echo "SKIP: interop toolchain missing (${missing[*]}); set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"
  exit 77
fi
"$interop/setup" --quiet js
status=$?
if [ $status -ne 0 ]; then
  if [ $status -eq 77 ] && [ "${HUBSPEC_REQUIRE_INTEROP:-}" != 1 ]; then echo "SKIP: interop/setup js exited 77"; exit 77; fi
  echo "FAIL: interop/setup js exited $status" >&2
  exit 1
fi
HUBSPEC_SERVER=$server exec node --test --test-reporter=spec "$test_file"
