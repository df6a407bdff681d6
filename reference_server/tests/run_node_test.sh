#!/usr/bin/env bash
# Runs a node:test file against hubspec-server with Microsoft's JS client (interop/js).
#   run_node_test.sh HUBSPEC_SERVER INTEROP_DIR TEST_FILE
# Exit 77 (CTest skip) without node/npm unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
server=$1 interop=$2 test_file=$3

. "$(dirname "$0")/require_js_peer.sh"
# --test-force-exit: a handle left open after the last test must not hold the run to the timeout.
HUBSPEC_SERVER=$server exec node --test --test-force-exit --test-reporter=spec "$test_file"
