#!/usr/bin/env bash
# Credentials as users have them (issue 12, item 2), against hubspec-server's bearer-token endpoint
# /conformance-auth: without them the run stops with exit 2 and says what to pass; with
# --access-token-command (run for each connection), --access-token or --header the suite passes;
# no token ever appears in a report; a failing token command is a clear exit 2.
# hubspec-client takes the same options.
#   auth_test.sh HUBSPEC HUBSPEC_SERVER HUBSPEC_CLIENT
set -uo pipefail
hubspec=$1 server=$2 chat_client=$3
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# DisconnectTimeout long: a token command per request under a loaded machine (ASan) must not outlast a negotiated id.
# The token command starts a python3 for every request: on a loaded machine that is seconds between a raw
# scenario's GET and its handshake POST, so the handshake timeout is generous here.
timings=(--keepalive-ms 1000 --client-timeout-ms 4000 --handshake-timeout-ms 15000 --disconnect-timeout-ms 15000
         --long-poll-timeout-ms 5000)
exec 3< <(exec "$server" --listen 127.0.0.1:0 "${timings[@]}" 2>"$work/server.log")
server_pid=$!
read -r -t 30 line <&3 || { echo "FAIL: hubspec-server did not start"; exit 1; }
origin=${line#listening on }
url=$origin/conformance-auth
# Raw wire, the reference client, streaming and a hand-written negotiate, on every transport.
filter='invocation.echo-returns-argument,streaming.stream-yields-items-in-order,handshake.json-success-exact-bytes'
filter+=',messages.target-case-insensitive,negotiate.success-response-shape'

# Each token the command hands out is logged, to look for it in the reports afterwards.
cat >"$work/token.sh" <<SH
#!/bin/sh
python3 -c "import urllib.request; print(urllib.request.urlopen('$origin/token?user=ci-bot').read().decode())" | tee -a "$work/tokens"
SH
chmod +x "$work/token.sh"

no_secret_in() { # no_secret_in DIR: none of the tokens handed out appears in DIR's reports
  local token
  while read -r token; do
    [ -n "$token" ] || continue
    if grep -rqF -- "$token" "$1"; then fail "a token appears in $1: $(grep -rlF -- "$token" "$1" | head -3)"; return; fi
  done <"$work/tokens"
  grep -q 'Authorization: \(Bearer \)\?\[redacted\]' "$1/results.json" || fail "$1/results.json shows no redacted Authorization header"
}

"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --out "$work/none" >"$work/none.log" 2>&1
status=$?
[ $status -eq 2 ] || fail "without credentials: exit $status, expected 2"
grep -q "wants credentials; pass --access-token" "$work/none.log" || fail "without credentials: $(tail -2 "$work/none.log")"

"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --access-token-command "$work/token.sh" --out "$work/command" \
  >"$work/command.log" 2>&1 || fail "--access-token-command: $(tail -15 "$work/command.log")"
[ "$(wc -l <"$work/tokens")" -gt 5 ] || fail "the token command ran $(wc -l <"$work/tokens") times, not once per connection"
no_secret_in "$work/command"

token=$("$work/token.sh")
"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --access-token "$token" --out "$work/token" \
  >"$work/token.log" 2>&1 || fail "--access-token: $(tail -15 "$work/token.log")"
no_secret_in "$work/token"

"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --header "Authorization: Bearer $token" --out "$work/header" \
  >"$work/header.log" 2>&1 || fail "--header: $(tail -15 "$work/header.log")"
no_secret_in "$work/header"

"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --access-token "not-a-token" --out "$work/wrong" \
  >"$work/wrong.log" 2>&1
status=$?
[ $status -eq 2 ] && grep -q "refuses the credentials given" "$work/wrong.log" \
  || fail "a refused token: exit $status, $(tail -2 "$work/wrong.log")"

"$hubspec" run "$url" "${timings[@]}" --filter "$filter" --access-token-command "exit 3" --out "$work/broken" \
  >"$work/broken.log" 2>&1
status=$?
[ $status -eq 2 ] && grep -q "access-token-command exited with 3" "$work/broken.log" \
  || fail "a failing token command: exit $status, $(tail -2 "$work/broken.log")"

"$hubspec" probe "$url" --json --keepalive-wait-ms 3000 --access-token "$token" >"$work/probe.json" 2>&1 \
  && python3 "$(dirname "$0")/probe_facts.py" "$work/probe.json" auth=false json=accepted messagepack=accepted \
  || fail "probe with a token: $(cat "$work/probe.json")"

# hubspec-client: the endpoint has no SendMessage, so getting that far shows the token was taken.
echo hi | timeout 60 "$chat_client" "$url" >"$work/client-none.txt" 2>&1
grep -q "401" "$work/client-none.txt" || fail "hubspec-client without a token: $(cat "$work/client-none.txt")"
for option in "--access-token-command=$work/token.sh" "--access-token=$token" "--header=Authorization: Bearer $token"; do
  echo hi | timeout 60 "$chat_client" "$url" "$option" >"$work/client.txt" 2>&1
  grep -q "SendMessage failed: .*Method does not exist" "$work/client.txt" \
    || fail "hubspec-client ${option%%=*}: $(cat "$work/client.txt")"
done
echo hi | timeout 60 "$chat_client" "$url" --access-token-command "exit 4" >"$work/client-broken.txt" 2>&1
grep -q "access-token-command exited with 4" "$work/client-broken.txt" \
  || fail "hubspec-client with a failing token command: $(cat "$work/client-broken.txt")"

[ $failures -eq 0 ] && echo "auth: every credential option works and no token reaches a report"
exit $((failures > 0))
