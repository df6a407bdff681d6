#!/usr/bin/env bash
# The whole suite against one of Microsoft's ASP.NET Core servers of interop/.
#   suite_against_aspnetcore.sh HUBSPEC INTEROP_DIR OUT_DIR [MODE]
# conformance (default): interop/aspnetcore, the contract hub, peer and hubspec at the same short
#   timings the embedded server uses; where ASP.NET Core departs from the spec digest,
#   interop/aspnetcore/expected-deviations.yaml says so (hubspec --expect): the test fails on
#   a new failure and on a deviation that went away.
# chat: a hub that does not implement the contract (interop/aspnetcore's /chat: SendMessage only),
#   peer and hubspec at their defaults, no expectations: every verdict must hold without the
#   contract (issue 11), and the report must say how much of the catalogue was checked.
# aspnetcore2, stock, stock-newtonsoft: ASP.NET Core 2.x (interop/aspnetcore2), the stock ASP.NET
#   Core 10 app (interop/aspnetcore-stock) with System.Text.Json or Newtonsoft.Json, server and
#   hubspec at their default timings, against that peer's expectations file (issue 11 item 7).
# tls-jwt: interop/aspnetcore on Kestrel over HTTPS (a certificate made now by openssl) with every
#   hub behind Microsoft's JwtBearer (issue 12, item 3): the conformance run over https:// with
#   --ca-file and a token command, against the same expectations as over http://; then an expired
#   token, the wrong CA and http:// to the TLS port each exit 2 naming the problem.
# Before the run, `hubspec probe` must report each server's configuration as it is set up.
set -uo pipefail
hubspec=$1 interop=$2 out=$3 mode=${4:-conformance}

if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: dotnet missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
  echo "SKIP: dotnet missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
fi
peer=$interop/aspnetcore/run path=/conformance
conformance_timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 2000 --disconnect-timeout-ms 3000
                     --long-poll-timeout-ms 5000)
certs=$out/certs
# Default timings make the longest cells sit out a 90 s poll or a 30 s client timeout: run many at once.
default_timings_parallel=(--parallel "${HUBSPEC_DEFAULT_TIMINGS_PARALLEL:-16}")
case $mode in
  conformance)
    peer_args=("${conformance_timings[@]}" --detailed-errors)
    run_args=("${conformance_timings[@]}" --expect "$interop/aspnetcore/expected-deviations.yaml") ;;
  tls-jwt)
    "$(dirname "$0")/make_test_certificates.sh" "$certs" || exit 1
    peer_args=("${conformance_timings[@]}" --detailed-errors --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
               --jwt)
    run_args=("${conformance_timings[@]}" --expect "$interop/aspnetcore/expected-deviations.yaml"
              --ca-file "$certs/ca.pem" --access-token-command "cat $out/token.txt") ;;
  chat)
    peer_args=() run_args=("${default_timings_parallel[@]}") path=/chat ;;
  aspnetcore2)
    # 2.x serves JSON only (no MessagePack package of its version exists): detected, not a deviation.
    peer=$interop/aspnetcore2/run peer_args=()
    run_args=("${default_timings_parallel[@]}" --expect "$interop/aspnetcore2/expected-deviations.yaml") ;;
  stock)
    peer=$interop/aspnetcore-stock/run peer_args=()
    run_args=("${default_timings_parallel[@]}" --expect "$interop/aspnetcore-stock/expected-deviations.yaml") ;;
  stock-newtonsoft)
    # Only the JSON cells: MessagePack is the same System.Text.Json-free code as in `stock`.
    peer=$interop/aspnetcore-stock/run peer_args=(--json newtonsoft)
    run_args=("${default_timings_parallel[@]}" --protocol json
              --expect "$interop/aspnetcore-stock/expected-deviations-newtonsoft.yaml") ;;
  *) echo "usage: $0 HUBSPEC INTEROP_DIR OUT_DIR [conformance|chat|aspnetcore2|stock|stock-newtonsoft|tls-jwt]" >&2; exit 2 ;;
esac
mkdir -p "$out"
exec 3< <(exec "$peer" --listen 127.0.0.1:0 "${peer_args[@]}" 2>"$out/aspnetcore.log")
peer_pid=$!
trap 'kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null' EXIT
if ! read -r -t 300 line <&3 || [[ "$line" != "listening on http"*"://"* ]]; then
  echo "FAIL: the ASP.NET Core peer did not start (see $out/aspnetcore.log)" >&2
  cat "$out/aspnetcore.log" >&2
  exit 1
fi
origin=${line#listening on }
url=$origin$path
if [ "$mode" = tls-jwt ]; then
  # The token endpoint over HTTPS, fetched as a user's token command would (token.sh [QUERY-SUFFIX]).
  cat >"$out/token.sh" <<SH
#!/bin/sh
exec python3 -c "import ssl, sys, urllib.request
context = ssl.create_default_context(cafile='$certs/ca.pem')
sys.stdout.write(urllib.request.urlopen('$origin/token?user=ci-bot' + (sys.argv[1] if len(sys.argv) > 1 else ''), context=context).read().decode())" "\$@"
SH
  chmod +x "$out/token.sh"
  # Fetched once (a JWT lasts 30 min): a Python start per connection would load the 2 cores the run needs.
  "$out/token.sh" >"$out/token.txt" || { echo "FAIL: no token from $origin/token" >&2; exit 1; }
fi
# What `hubspec probe` must find on this server, configured as the peer is (issue 11, item 2).
probe_args=()
case $mode in
  conformance) facts=(token=true stateful=true json=accepted messagepack=accepted keepalive=700..2500 parallel=false
                      "run-has=--keepalive-ms ") ;;
  chat) facts=(token=true stateful=false json=accepted messagepack=accepted keepalive=14000..17000
               parallel=unknown "run-has=--keepalive-ms 15000") ;;
  aspnetcore2) facts=(negotiate-version=0 token=false stateful=false json=accepted messagepack=refused
                      keepalive=14000..17000) ;;
  stock) facts=(token=true stateful=false json=accepted messagepack=accepted keepalive=14000..17000 parallel=true
                "run-has=--parallel-invocations") ;;
  stock-newtonsoft) facts=(json=accepted keepalive=unknown) probe_args=(--keepalive-wait-ms 300) ;; # measured in `stock`
  tls-jwt) facts=(auth=false token=true stateful=true json=accepted messagepack=accepted keepalive=700..2500
                  "run-has=--ca-file $certs/ca.pem")
           probe_args=(--ca-file "$certs/ca.pem" --access-token-command "cat $out/token.txt") ;;
esac
if ! "$hubspec" probe "$url" --json "${probe_args[@]}" >"$out/probe.json" 2>"$out/probe.err"; then
  echo "FAIL: hubspec probe $url: $(cat "$out/probe.err")" >&2
  exit 1
fi
python3 "$(dirname "$0")/probe_facts.py" "$out/probe.json" "${facts[@]}" || exit 1
started=$SECONDS
"$hubspec" run "$url" "${run_args[@]}" --out "$out"
status=$?
echo "suite against $mode: $((SECONDS - started)) s"
if [ "$mode" = chat ] && [ $status -eq 0 ]; then
  # the profile and the coverage, as a user reads them in results.json
  if ! grep -q '"name": "contract-free"' "$out/results.json" || ! grep -q '"requirements_checked": [1-9]' "$out/results.json"; then
    echo "FAIL: results.json does not report the contract-free profile with the requirements it checked" >&2
    exit 1
  fi
fi
if [ "$mode" = tls-jwt ]; then
  expect_exit2() { # expect_exit2 WHAT PATTERN ARGS...: `hubspec run URL ARGS` exits 2 naming PATTERN
    local what=$1 pattern=$2
    shift 2
    "$hubspec" run "$@" --filter invocation.echo-returns-argument --transport websockets --out "$out/refused" \
      >"$out/refused.txt" 2>&1
    local got=$?
    if [ $got -ne 2 ] || ! grep -q -- "$pattern" "$out/refused.txt"; then
      echo "FAIL: $what: exit $got, expected 2 and '$pattern': $(tail -3 "$out/refused.txt")" >&2
      status=1
    fi
  }
  expect_exit2 "an expired token" "The token expired" "$url" --ca-file "$certs/ca.pem" \
    --access-token "$("$out/token.sh" '&expired=true')"
  expect_exit2 "no token" "wants credentials" "$url" --ca-file "$certs/ca.pem"
  expect_exit2 "the wrong CA" "certificate is not accepted" "$url" --ca-file "$certs/wrong-ca.pem" \
    --access-token-command "cat $out/token.txt"
  "$hubspec" probe "$url" --ca-file "$certs/ca.pem" --keepalive-wait-ms 100 >"$out/probe-anonymous.txt" 2>&1
  grep -q "auth       required (negotiate answered 401); WWW-Authenticate: Bearer" "$out/probe-anonymous.txt" ||
    { echo "FAIL: probe without a token: $(grep auth "$out/probe-anonymous.txt")" >&2; status=1; }
  expect_exit2 "http:// to Kestrel's TLS port" "if the port serves TLS, use https://" "${url/https:/http:}"
fi
exit $status
