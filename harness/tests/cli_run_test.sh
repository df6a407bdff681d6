#!/usr/bin/env bash
# `hubspec run`, `compare` and `list` as a CI user meets them: exit codes, the four reports,
# an expectations file that makes a known deviation pass and an unexpected pass fail.
#   cli_run_test.sh HUBSPEC REQUIREMENTS_YAML
set -uo pipefail
hubspec=$1 requirements=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # check NAME EXPECTED_STATUS ACTUAL_STATUS
  if [ "$2" != "$3" ]; then echo "FAIL: $1: exit $3, expected $2"; failures=$((failures + 1)); else echo "ok: $1"; fi
}

mkdir -p "$work/suite"
cp "$requirements" "$work/suite/requirements.yaml"
cat >"$work/suite/echo.yaml" <<'YAML'
- id: echo.right
  title: Echo returns its argument
  requires: [MSG-040]
  transports: [websockets]
  steps:
    - connect: {as: a}
    - invoke: {as: a, method: Echo, args: [1], expect: 1}
- id: echo.wrong-on-purpose
  title: A scenario that expects the wrong answer, standing in for a server's known deviation
  requires: [MSG-040]
  transports: [websockets]
  steps:
    - connect: {as: a}
    - invoke: {as: a, method: Echo, args: [1], expect: 2}
YAML

"$hubspec" run --scenarios "$work/suite" --out "$work/out" >"$work/run.log" 2>&1
check "a failing cell makes the run exit 1" 1 $?
for report in results.json junit.xml summary.md index.html; do
  [ -s "$work/out/$report" ] || { echo "FAIL: $report missing"; failures=$((failures + 1)); }
done
grep -q "violates  MSG-040" "$work/run.log" || { echo "FAIL: the failure does not name MSG-040"; failures=$((failures + 1)); }

"$hubspec" run --scenarios "$work/suite" --out "$work/out2" --write-expect "$work/known.yaml" >/dev/null 2>&1
"$hubspec" run --scenarios "$work/suite" --out "$work/out3" --expect "$work/known.yaml" >"$work/expect.log" 2>&1
check "the written expectations make the same run pass" 0 $?

cat >"$work/stale.yaml" <<'YAML'
- scenario: "echo.right"
  outcome: fail
  reason: "a deviation that has since been fixed"
YAML
"$hubspec" run --scenarios "$work/suite" --filter 'echo.right' --out "$work/out4" --expect "$work/stale.yaml" >/dev/null 2>&1
check "an unexpected pass fails the run (the expectations should tighten)" 1 $?

"$hubspec" run http://127.0.0.1:9/nothing-listens-here --scenarios "$work/suite" --out "$work/out5" >/dev/null 2>&1
check "an unreachable target exits 2" 2 $?

"$hubspec" run --transport carrier-pigeon >/dev/null 2>&1
check "a usage error exits 2" 2 $?

"$hubspec" run https://127.0.0.1:9/hub --scenarios "$work/suite" --out "$work/out-tls" >"$work/tls.log" 2>&1
check "an https:// target with nothing listening exits 2" 2 $?
grep -q "no answer from https://127.0.0.1:9/hub" "$work/tls.log" || { echo "FAIL: unclear https error: $(cat "$work/tls.log")"; failures=$((failures + 1)); }
"$hubspec" run https://127.0.0.1:9/hub --ca-file "$work/no-such-ca.pem" >"$work/ca.log" 2>&1
check "a --ca-file that does not exist is a usage error" 2 $?
grep -q "no-such-ca.pem" "$work/ca.log" || { echo "FAIL: the error does not name the CA file: $(cat "$work/ca.log")"; failures=$((failures + 1)); }

printf -- '- id: broken\n  title: t\n  requires: [MSG-040]\n  steps: [{fly: {}}]\n' >"$work/suite/broken.yaml"
"$hubspec" run --scenarios "$work/suite" --out "$work/out6" >"$work/broken.log" 2>&1
check "a malformed scenario file exits 2" 2 $?
grep -q "broken.yaml:4" "$work/broken.log" || { echo "FAIL: the error does not name broken.yaml:4"; failures=$((failures + 1)); }
rm "$work/suite/broken.yaml"

"$hubspec" compare embedded embedded --scenarios "$work/suite" --filter 'echo.right' --out "$work/cmp" >/dev/null 2>&1
check "compare of two passing targets exits 0" 0 $?
[ -s "$work/cmp/comparison.md" ] && [ -s "$work/cmp/comparison.html" ] && [ -s "$work/cmp/2/results.json" ] \
  || { echo "FAIL: compare did not write its reports"; failures=$((failures + 1)); }

"$hubspec" list --scenarios "$work/suite" | grep -q "^echo.right  MSG-040" \
  || { echo "FAIL: list does not show echo.right with MSG-040"; failures=$((failures + 1)); }

exit $((failures > 0))
