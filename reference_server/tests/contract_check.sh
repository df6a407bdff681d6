#!/usr/bin/env bash
# Starts hubspec-server on a free port and runs one of Microsoft's clients through the
# contract check against /conformance: the JS client (interop/js/contract-check.mjs) or
# the .NET client (interop/dotnet-client --contract-check); both print the same checks.
#   contract_check.sh HUBSPEC_SERVER INTEROP_DIR TRANSPORT PROTOCOL [js|dotnet] [tls]
# With `tls`, hubspec-server serves https:// (--tls-cert) with a certificate made now by a test CA
# that each client trusts the way its users make it trust one: NODE_EXTRA_CA_CERTS for Node,
# SSL_CERT_FILE for .NET on Linux (issue 12).
# Exit 77 (CTest skip) without the client's toolchain unless HUBSPEC_REQUIRE_INTEROP=1.
set -uo pipefail
server=$1 interop=$2 transport=$3 protocol=$4 client=${5:-js} tls=${6:-}

case "$client" in
  js) . "$(dirname "$0")/require_js_peer.sh"; check=(node "$interop/js/contract-check.mjs") ;;
  dotnet) . "$(dirname "$0")/require_dotnet_peer.sh"; check=(dotnet "$dotnet_client_dll" --contract-check) ;;
  *) echo "contract_check.sh: client must be js or dotnet, got '$client'" >&2; exit 2 ;;
esac

work=$(mktemp -d)
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Await the listening line itself rather than polling for it.
mkfifo "$work/stdout"
server_args=()
if [ "$tls" = tls ]; then
  "$(dirname "$0")/../../harness/tests/make_test_certificates.sh" "$work/certs" || exit 1
  server_args=(--tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server.key")
  export NODE_EXTRA_CA_CERTS=$work/certs/ca.pem SSL_CERT_FILE=$work/certs/ca.pem
fi
"$server" --listen 127.0.0.1:0 "${server_args[@]}" >"$work/stdout" 2>"$work/stderr" &
pid=$!
exec 3<"$work/stdout"
line=
read -r -t 30 line <&3 || true
case "$line" in
  "listening on http://"* | "listening on https://"*) url=${line#listening on } ;;
  *) echo "FAIL: hubspec-server did not print its listening line (saw '$line')" >&2; cat "$work/stderr" >&2; exit 1 ;;
esac

"${check[@]}" --url "$url/conformance" --transport "$transport" --protocol "$protocol"
result=$?
if [ $result -eq 127 ]; then
  # The client refuses the cell before any request: right only for SSE × MessagePack (SSE-009).
  if [ "$transport" = ServerSentEvents ] && [ "$protocol" = messagepack ]; then
    echo "ok: ServerSentEvents × messagepack is unsupported by the $client client, as expected (SSE-009)"
    result=0
  else
    echo "FAIL: the $client client called $transport × $protocol unsupported" >&2
    result=1
  fi
fi
if [ $result -ne 0 ]; then
  echo "--- hubspec-server stderr ---" >&2
  tail -n 50 "$work/stderr" >&2
fi

# SIGTERM must stop the server cleanly (design §3).
kill -TERM "$pid"
if ! timeout 5 tail --pid="$pid" -f /dev/null; then
  echo "FAIL: hubspec-server ignored SIGTERM for 5 s" >&2
  kill -KILL "$pid"
  result=1
fi
wait "$pid"; server_status=$?
pid=
if [ $server_status -ne 0 ]; then echo "FAIL: hubspec-server exited $server_status after SIGTERM" >&2; result=1; fi
exit $result
