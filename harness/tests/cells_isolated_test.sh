#!/usr/bin/env bash
# Cells never see each other (issue 11, item 3). All cells share one target, and a hub-wide
# send (Clients.All: the contract's Broadcast) reaches every connection of the hub. Here cells
# that broadcast run in one run with cells that expect silence on the same hub, on every
# transport, several rounds; a cell that hears another's Broadcast fails its silence. The
# runner must keep them apart (a broadcasting cell runs alone), so every cell passes.
#   cells_isolated_test.sh HUBSPEC REQUIREMENTS_YAML [ROUNDS]
set -uo pipefail
hubspec=$1 requirements=$2 rounds=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/suite"
cp "$requirements" "$work/suite/requirements.yaml"
{
  # Broadcasters and listeners alternate and wait as long (the runner starts the longest waits
  # first, in file order otherwise), so that without isolation they run side by side.
  for i in 1 2 3; do
    cat <<YAML
- id: isolation.broadcaster-$i
  title: Broadcasts to the whole hub for a while and hears it
  requires: [GRP-006]
  methods: [Broadcast, GetCallerConnectionId]
  protocols: [json]
  steps:
    - connect: {as: a}
    - invoke: {as: a, method: GetCallerConnectionId, capture: ida}
    - invoke: {as: a, method: Broadcast, args: ["burst-1-{ida}"]}
    - expect_no_message: {as: a, method: Direct, for_ms: 400}
    - invoke: {as: a, method: Broadcast, args: ["burst-2-{ida}"]}
    - expect_no_message: {as: a, method: Direct, for_ms: 400}
    - invoke: {as: a, method: Broadcast, args: ["burst-3-{ida}"]}
    - expect_no_message: {as: a, method: Direct, for_ms: 400}
    - expect_message: {as: a, method: Broadcast, args: ["burst-3-{ida}"]}
YAML
    for j in 1 2; do
      cat <<YAML
- id: isolation.silent-listener-$i-$j
  title: A connection that invokes nothing hears nothing but Pings
  requires: [MSG-061]
  methods: [Echo]
  protocols: [json]
  steps:
    - raw_connect: {as: a}
    - raw_expect_silence: {as: a, for_ms: 600}
    - raw_send: {as: a, message: {type: Invocation, invocationId: "1", target: Echo, arguments: [1]}}
    - raw_expect: {as: a, message: {type: Completion, invocationId: "1", result: 1}}
    - raw_expect_silence: {as: a, for_ms: 600}
YAML
    done
  done
} >"$work/suite/isolation.yaml"

failures=0
for round in $(seq "$rounds"); do
  "$hubspec" run --scenarios "$work/suite" --parallel 6 --out "$work/out-$round" >"$work/run-$round.log" 2>&1
  status=$?
  python3 - "$work/out-$round/results.json" "$round" "$status" <<'PY' || failures=$((failures + 1))
import json, sys
results = json.load(open(sys.argv[1]))
round_, status = sys.argv[2], int(sys.argv[3])
bad = [(s["id"], c.get("transport", ""), c["outcome"], (c.get("failure") or {}).get("seen", c.get("reason", "")))
       for s in results["scenarios"] for c in s["cells"] if c["outcome"] != "pass"]
ran = sum(len(s["cells"]) for s in results["scenarios"])
for cell in bad:
    print(f"FAIL: round {round_}: {cell[0]} [{cell[1]}] {cell[2]}: {cell[3][:200]}")
if bad or status != 0 or ran != 27:
    print(f"FAIL: round {round_}: {len(bad)} of {ran} cells not passing, exit {status}")
    sys.exit(1)
print(f"ok: round {round_}: {ran} cells, broadcasters and silent listeners never met")
PY
done
exit $((failures > 0))
