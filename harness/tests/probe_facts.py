#!/usr/bin/env python3
"""Checks what `hubspec probe --json` reported against the facts a test knows of its target.

Usage: probe_facts.py PROBE_JSON FACT=VALUE...
Facts (each compared with the probe's JSON; a mismatch is printed with both sides):
  negotiate-version=N   negotiateVersion answered to negotiateVersion=1 (0 for servers before 3.0)
  token=true|false      the version 1 reply carries connectionToken
  transports=A,B        the transport names listed, in order, as the server wrote them
  defect=NEG-013        some listed transport has a defect charged to this requirement
  stateful=true|false|unknown
  json=accepted|refused messagepack=accepted|refused
  keepalive=LO..HI      the measured keep-alive interval in ms lies in [LO, HI]; `unknown` when none
  parallel=true|false|unknown
  auth=true|false
  run-has=TEXT          the suggested `hubspec run` line contains TEXT
Exit 0 when every fact holds, 1 otherwise.
"""

import json
import sys


def tri(value):
    return "unknown" if value is None else ("true" if value else "false")


def seen(probe, fact):
    """What the probe says about `fact`, as text comparable with the expected value."""
    v1 = probe["negotiate"][0]
    if fact == "negotiate-version":
        return str(v1.get("negotiateVersion", "absent"))
    if fact == "token":
        return tri(v1.get("connectionToken"))
    if fact == "transports":
        return ",".join(t["transport"] for t in probe["transports"])
    if fact == "defect":
        return ",".join(sorted({t["requirement"] for t in probe["transports"] if "requirement" in t})) or "none"
    if fact == "stateful":
        return tri(probe["statefulReconnect"])
    if fact in ("json", "messagepack"):
        for p in probe["protocols"]:
            if p["protocol"] == fact:
                return "accepted" if p["accepted"] else "refused"
        return "not tried"
    if fact == "parallel":
        return tri(probe["parallelInvocations"])
    if fact == "auth":
        return tri(probe["authRequired"])
    raise KeyError(fact)


def holds(probe, fact, expected):
    if fact == "keepalive":
        measured = probe["keepAliveMs"]
        if expected == "unknown":
            return measured is None, tri(measured)
        low, high = (int(x) for x in expected.split(".."))
        return measured is not None and low <= measured <= high, f"{measured} ms ({probe['keepAliveNote']})"
    if fact == "run-has":
        return expected in probe["run"], probe["run"]
    actual = seen(probe, fact)
    if fact == "defect":
        return expected in actual.split(","), actual
    return actual == expected, actual


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        probe = json.load(f)
    failures = 0
    for item in sys.argv[2:]:
        fact, _, expected = item.partition("=")
        ok, actual = holds(probe, fact, expected)
        print(f"{'ok' if ok else 'FAIL'}: probe {fact}: expected {expected}, saw {actual}")
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
