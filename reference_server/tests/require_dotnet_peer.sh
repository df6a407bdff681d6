# Sourced by the server's interop test scripts: makes Microsoft's .NET client agent ready,
# or exits 77 (CTest skip) without dotnet — a failure when HUBSPEC_REQUIRE_INTEROP=1.
#   interop=<interop dir>; . require_dotnet_peer.sh   (sets dotnet_client_dll)
if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then
    echo "FAIL: interop toolchain missing (dotnet) and HUBSPEC_REQUIRE_INTEROP=1" >&2
    exit 1
  fi
  echo "SKIP: interop toolchain missing (dotnet); set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"
  exit 77
fi
"$interop/setup" --quiet dotnet-client
setup_status=$?
if [ $setup_status -ne 0 ]; then
  if [ $setup_status -eq 77 ] && [ "${HUBSPEC_REQUIRE_INTEROP:-}" != 1 ]; then echo "SKIP: interop/setup dotnet-client exited 77"; exit 77; fi
  echo "FAIL: interop/setup dotnet-client exited $setup_status" >&2
  exit 1
fi
dotnet_client_dll=$("$interop/setup" --print-path dotnet-client)
