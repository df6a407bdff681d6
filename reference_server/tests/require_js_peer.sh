# Sourced by the server's interop test scripts: makes Microsoft's JS client ready,
# or exits 77 (CTest skip) without node/npm — a failure when HUBSPEC_REQUIRE_INTEROP=1.
#   interop=<interop dir>; . require_js_peer.sh
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
setup_status=$?
if [ $setup_status -ne 0 ]; then
  if [ $setup_status -eq 77 ] && [ "${HUBSPEC_REQUIRE_INTEROP:-}" != 1 ]; then echo "SKIP: interop/setup js exited 77"; exit 77; fi
  echo "FAIL: interop/setup js exited $setup_status" >&2
  exit 1
fi
