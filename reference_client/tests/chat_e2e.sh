#!/usr/bin/env bash
# The console chat client end to end (design §4): a listener client and a sender
# client on a server's /chat; both must print the sender's lines as `user: line`.
#   chat_e2e.sh HUBSPEC_CLIENT INTEROP_DIR SERVER TRANSPORT PROTOCOL
# SERVER is `aspnetcore` (Microsoft's server, interop/aspnetcore/run) or the path
# of hubspec-server. serversentevents with messagepack must fail at once (SSE-009).
set -uo pipefail
client=$1 interop=$2 server=$3 transport=$4 protocol=$5
work=$(mktemp -d)
cleanup() {
  [ -n "${listener_pid:-}" ] && kill "$listener_pid" 2>/dev/null
  [ -n "${server_pid:-}" ] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$transport" = serversentevents ] && [ "$protocol" = messagepack ]; then
  # Refused before any connection: one line on stderr, non-zero exit (no server needed).
  "$client" "http://127.0.0.1:1/chat" --transport "$transport" --protocol "$protocol" </dev/null >"$work/out" 2>"$work/err"
  status=$?
  if [ $status -ne 0 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q 'cannot carry messagepack' "$work/err" && [ ! -s "$work/out" ]; then
    echo "PASS: $transport/$protocol refused: $(cat "$work/err")"; exit 0
  fi
  echo "FAIL: $transport/$protocol must exit non-zero with one line; exit $status, stderr:"; cat "$work/err"; exit 1
fi

if [ "$server" = aspnetcore ]; then
  if ! command -v dotnet >/dev/null 2>&1; then
    if [ "${HUBSPEC_REQUIRE_INTEROP:-}" = 1 ]; then echo "FAIL: dotnet missing and HUBSPEC_REQUIRE_INTEROP=1" >&2; exit 1; fi
    echo "SKIP: dotnet missing; set HUBSPEC_REQUIRE_INTEROP=1 to make this a failure"; exit 77
  fi
  "$interop/setup" --quiet aspnetcore >&2 || { echo "FAIL: interop/setup failed" >&2; exit 1; }
  coproc SERVER { exec "$interop/aspnetcore/run" --listen 127.0.0.1:0 2>/dev/null; }
else
  coproc SERVER { exec "$server" --listen 127.0.0.1:0 2>/dev/null; }
fi
server_pid=$SERVER_PID
read -r -t 120 line <&"${SERVER[0]}" || { echo "FAIL: the server did not start" >&2; exit 1; }
url="http://127.0.0.1:${line##*:}/chat"

# The listener's stdin stays open (a fifo) until the sender is done.
mkfifo "$work/in"
"$client" "$url" --transport "$transport" --protocol "$protocol" --user bob <"$work/in" >"$work/bob.out" 2>"$work/bob.err" &
listener_pid=$!
exec 3>"$work/in"
# The listener is connected once its own line comes back.
echo "ready" >&3
grep -m1 -q '^bob: ready$' < <(timeout 30 tail -n +1 -f "$work/bob.out") \
  || { echo "FAIL: listener never connected"; cat "$work/bob.err"; exit 1; }

printf 'hello\nsecond line\n' | "$client" "$url" --transport "$transport" --protocol "$protocol" --user ann >"$work/ann.out" 2>"$work/ann.err"
status=$?
exec 3>&-
wait "$listener_pid"; listener_status=$?; listener_pid=
expected=$'ann: hello\nann: second line'
fail=0
[ $status -eq 0 ] || { echo "FAIL: sender exited $status: $(cat "$work/ann.err")"; fail=1; }
[ $listener_status -eq 0 ] || { echo "FAIL: listener exited $listener_status: $(cat "$work/bob.err")"; fail=1; }
[ "$(cat "$work/ann.out")" = "$expected" ] || { echo "FAIL: sender printed:"; cat "$work/ann.out"; fail=1; }
[ "$(grep '^ann: ' "$work/bob.out")" = "$expected" ] || { echo "FAIL: listener printed:"; cat "$work/bob.out"; fail=1; }

# The one-liner of the design: a single line in, `ann: hello` out.
[ "$(printf 'hello\n' | "$client" "$url" --transport "$transport" --protocol "$protocol" --user ann 2>&1)" = "ann: hello" ] \
  || { echo "FAIL: printf 'hello\\n' | hubspec-client … --user ann did not print exactly 'ann: hello'"; fail=1; }

# A connection failure exits non-zero with one line on stderr.
"$client" "http://127.0.0.1:1/chat" --transport "$transport" --protocol "$protocol" </dev/null >/dev/null 2>"$work/refused.err"
if [ $? -eq 0 ] || [ "$(wc -l <"$work/refused.err")" -ne 1 ]; then echo "FAIL: a refused connection must exit non-zero with one line"; fail=1; fi
[ $fail -eq 0 ] && echo "PASS: chat over $transport/$protocol on $([ "$server" = aspnetcore ] && echo aspnetcore || echo hubspec-server)"
exit $fail
