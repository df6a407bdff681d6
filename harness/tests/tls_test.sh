#!/usr/bin/env bash
# TLS everywhere a byte goes (issue 12, item 1), against hubspec-server --tls-cert with a
# certificate made now by openssl: the whole suite over https:// passes every cell that
# passes over http:// on the same server options, the proxy's faults included (cut, refused
# and stripped upgrades, muted clients, over TLS toward the target); the console client chats
# over wss://, SSE and long polling; and each mistake a user makes ends with exit 2 and a
# message naming it: no CA, the wrong CA, a certificate for another name, http:// to a TLS
# port, https:// to a plain port.
#   tls_test.sh HUBSPEC HUBSPEC_SERVER HUBSPEC_CLIENT
set -uo pipefail
hubspec=$1 server=$2 chat_client=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$here/make_test_certificates.sh" "$work/certs" || exit 1
certs=$work/certs

timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
         --long-poll-timeout-ms 5000)
start_server() { # start_server NAME [OPTIONS...]: sets origin to the server's http(s)://127.0.0.1:PORT
  local name=$1
  shift
  exec {fd}< <(exec "$server" --listen 127.0.0.1:0 "${timings[@]}" "$@" 2>"$work/$name.log")
  pids+=($!)
  read -r -t 30 line <&$fd || { echo "FAIL: hubspec-server ($name) did not start: $(cat "$work/$name.log")"; exit 1; }
  origin=${line#listening on }
}
start_server tls --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
tls_origin=$origin
[[ $tls_origin == https://* ]] || fail "hubspec-server --tls-cert says it listens on $tls_origin"
start_server plain
plain_origin=$origin
start_server other-name --tls-cert "$certs/other-name.pem" --tls-key "$certs/other-name.key"
other_origin=$origin

# The suite both ways; every cell that passes over http:// must pass over https://.
"$hubspec" run "$plain_origin/conformance" "${timings[@]}" --out "$work/plain" >"$work/plain.txt" 2>&1
"$hubspec" run "$tls_origin/conformance" "${timings[@]}" --ca-file "$certs/ca.pem" --out "$work/tls" \
  >"$work/tls.txt" 2>&1 || fail "the suite over https:// failed: $(tail -4 "$work/tls.txt")"
python3 - "$work/plain/results.json" "$work/tls/results.json" <<'PY' || failures=$((failures + 1))
import json, sys
def cells(path):
    out = {}
    for s in json.load(open(path))["scenarios"]:
        for c in s["cells"]:
            out[(s["id"], c.get("transport"), c.get("protocol"))] = c
    return out
plain, tls = cells(sys.argv[1]), cells(sys.argv[2])
passed = [k for k, c in plain.items() if c["outcome"] == "pass"]
lost = [k for k in passed if tls.get(k, {}).get("outcome") != "pass"]
for k in lost[:10]:
    c = tls.get(k, {})
    print("FAIL: passes over http://, not over https://:", k, c.get("outcome"), c.get("reason", ""),
          str(c.get("failure", {}).get("seen", ""))[:300])
# The faults run through the proxy, which speaks TLS to the target: they must have run, and passed.
faults = ["fallback.websocket-refused-by-proxy", "fallback.upgrade-headers-stripped",
          "reconnect.new-connection-after-cut", "stateful_reconnect.sequence-survives-cuts",
          "websockets.unanswered-close-ends-socket"]
for f in faults:
    if not any(k[0] == f and c["outcome"] == "pass" for k, c in tls.items()):
        print("FAIL: the fault scenario", f, "did not pass over https://")
        lost.append(f)
print(f"https://: {sum(c['outcome'] == 'pass' for c in tls.values())} cells pass; "
      f"{len(passed)} pass over http://, {len(lost)} of them not over https://")
sys.exit(1 if lost else 0)
PY

expect_exit2() { # expect_exit2 WHAT PATTERN COMMAND...: exit 2 and PATTERN in the output
  local what=$1 pattern=$2
  shift 2
  "$@" >"$work/out.txt" 2>&1
  local status=$?
  [ $status -eq 2 ] && grep -q -- "$pattern" "$work/out.txt" \
    || fail "$what: exit $status, expected 2 and '$pattern': $(tail -3 "$work/out.txt")"
}
quick=(--filter invocation.echo-returns-argument --transport websockets)
expect_exit2 "no --ca-file" "certificate is not accepted: unable to get local issuer certificate" \
  "$hubspec" run "$tls_origin/conformance" "${quick[@]}" --out "$work/x"
expect_exit2 "the wrong CA" "certificate is not accepted: unable to get local issuer certificate" \
  "$hubspec" run "$tls_origin/conformance" "${quick[@]}" --ca-file "$certs/wrong-ca.pem" --out "$work/x"
expect_exit2 "a certificate for another name" "certificate is not accepted: IP address mismatch" \
  "$hubspec" run "$other_origin/conformance" "${quick[@]}" --ca-file "$certs/ca.pem" --out "$work/x"
expect_exit2 "http:// to a TLS port" "use https://" \
  "$hubspec" run "${tls_origin/https:/http:}/conformance" "${quick[@]}" --out "$work/x"
expect_exit2 "https:// to a plain port" "does not speak TLS on this port" \
  "$hubspec" run "${plain_origin/http:/https:}/conformance" "${quick[@]}" --ca-file "$certs/ca.pem" --out "$work/x"
expect_exit2 "probe without the CA" "certificate is not accepted" "$hubspec" probe "$tls_origin/conformance"
"$hubspec" run "$other_origin/conformance" "${quick[@]}" "${timings[@]}" --insecure --out "$work/insecure" \
  >"$work/insecure.txt" 2>&1 || fail "--insecure: $(tail -3 "$work/insecure.txt")"
"$hubspec" probe "$tls_origin/conformance" --ca-file "$certs/ca.pem" --keepalive-wait-ms 3000 >"$work/probe.txt" 2>&1 \
  && grep -q -- "hubspec run $tls_origin/conformance --ca-file $certs/ca.pem" "$work/probe.txt" \
  || fail "probe with --ca-file: $(cat "$work/probe.txt")"

# The console client chats on every transport; without the CA it says why it cannot.
for transport in websockets serversentevents longpolling; do
  out=$(printf 'hello\n' | timeout 60 "$chat_client" "$tls_origin/chat" --ca-file "$certs/ca.pem" \
        --transport "$transport" --user ann 2>&1)
  [ "$out" = "ann: hello" ] || fail "hubspec-client over $transport with TLS printed: $out"
done
printf 'hello\n' | timeout 60 "$chat_client" "$tls_origin/chat" >"$work/client.txt" 2>&1
[ $? -ne 0 ] && grep -q "certificate is not accepted" "$work/client.txt" \
  || fail "hubspec-client without the CA: $(cat "$work/client.txt")"

# A TLS client that ends its connection without close_notify (most do) is no malformed request.
if grep -q "malformed request" "$work/tls.log"; then
  fail "hubspec-server logged TLS connection ends as malformed requests: $(grep -m3 "malformed request" "$work/tls.log")"
fi

[ $failures -eq 0 ] && echo "tls: the suite passes over https:// as over http://, and every TLS mistake is named"
exit $((failures > 0))
