#!/usr/bin/env bash
# Bad target behaviour is a verdict, never a hang or "unreachable" (issue 11, item 4): against a
# target that answers garbage, `hubspec run` ends on its own deadlines with exit 1, every cell that
# ran failed naming a requirement, none is an error. `timeout` only turns a hang into a message.
#   garbage_target_test.sh HUBSPEC
set -uo pipefail
hubspec=$1
here=$(dirname "$0")
work=$(mktemp -d)
target_pid=
trap '[ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# One scenario per layer, over every transport and protocol.
filter='negotiate.v1-returns-distinct-token,handshake.json-success-exact-bytes,invocation.echo-returns-argument'
filter+=',long_polling.poll-sequence-by-hand,server_sent_events.raw-exchange,websockets.unknown-id-404,framing.server-records-aligned'

for mode in http-garbage negotiate-only; do
  echo "--- $mode"
  exec 3< <(exec python3 "$here/garbage_target.py" "$mode")
  target_pid=$!
  read -r -t 30 line <&3 || { fail "$mode: the garbage target did not start"; continue; }
  url=${line#listening on }/hub
  started=$SECONDS
  timeout 600 "$hubspec" run "$url" --filter "$filter" --out "$work/$mode" >"$work/$mode.log" 2>&1
  status=$?
  echo "$mode: exit $status after $((SECONDS - started)) s"
  kill "$target_pid" 2>/dev/null
  wait "$target_pid" 2>/dev/null
  target_pid=
  if [ $status -eq 124 ]; then fail "$mode: hubspec run hung (killed after 600 s)"; tail -20 "$work/$mode.log"; continue; fi
  [ $status -eq 1 ] || { fail "$mode: exit $status, expected 1 (failing cells)"; tail -20 "$work/$mode.log"; continue; }
  python3 - "$work/$mode/results.json" "$mode" <<'PY' || failures=$((failures + 1))
import json, sys
results = json.load(open(sys.argv[1]))
mode = sys.argv[2]
ran = bad = 0
for scenario in results["scenarios"]:
    for cell in scenario["cells"]:
        if cell["outcome"] == "skip":
            continue
        ran += 1
        requirement = ((cell.get("failure") or {}).get("requirement") or {}).get("id", "")
        if mode == "negotiate-only" and scenario["id"].startswith("negotiate.") and cell["outcome"] == "pass":
            continue  # its negotiate is a good one
        if cell["outcome"] != "fail" or not requirement:
            bad += 1
            print(f"FAIL: {mode}: {scenario['id']} [{cell.get('transport')}/{cell.get('protocol')}] "
                  f"is {cell['outcome']} naming {requirement or 'no requirement'}: {cell.get('reason', '')}")
if ran == 0:
    print(f"FAIL: {mode}: no cell ran")
    sys.exit(1)
print(f"{mode}: {ran} cell(s) ran, none is an error, every failure names a requirement")
sys.exit(1 if bad else 0)
PY
done
exit $((failures > 0))
