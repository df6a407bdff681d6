#!/usr/bin/env bash
# `hubspec decode` on the sample captures prints exactly the committed lines.
set -euo pipefail
hubspec=$1
captures=$2
status=0
check() {
  local name=$1; shift
  if ! diff -u "$captures/$name.expected.jsonl" <("$hubspec" decode --hex "$@" <"$captures/$name.hex"); then
    echo "FAIL: decoding $name.hex differs from $name.expected.jsonl"
    status=1
  else
    echo "ok: $name"
  fi
}
check client-json --protocol json --handshake request
check server-json --protocol json --handshake response
check server-messagepack --protocol messagepack
exit $status
