#!/usr/bin/env bash
# The client-side suite (hubspec run --client) against one client agent of interop/ (issue 14),
# with the `hubspec run` arguments that agent needs (interop/client-agents run-args: its
# expectations file of explained findings, the negotiate version of a 2.x-era client): fails on
# any other failure and on an entry that stops failing.
#   client_agent_suite.sh HUBSPEC INTEROP_DIR OUT_DIR AGENT [hubspec run arguments…]
set -uo pipefail
hubspec=$1 interop=$2 out=$3 agent=$4
shift 4

command=$("$interop/client-agents" command "$agent")
status=$?
if [ $status -eq 77 ]; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: toolchain missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
  echo "SKIP: the $agent agent's toolchain is missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
fi
[ $status -eq 0 ] || exit $status
read -ra run_args <<<"$("$interop/client-agents" run-args "$agent")"
exec "$hubspec" run --client "$command" "${run_args[@]}" "$@" --out "$out"
