#!/usr/bin/env python3
"""Proof of the client-side verdicts (issue 14): a client with a known defect fails exactly
the requirement it breaks.

For each `hubspec-client-agent --violate NAME` (listed by `--list-violations` with the one
requirement it breaks), run `hubspec run --client 'AGENT --violate NAME'` over the client
scenarios that should catch it (those whose `requires` lists the requirement) plus a small set
that must stay green, and assert from results.json that
  (a) at least one cell fails naming exactly the violated requirement,
  (b) every other failing cell names it too, or is a documented consequence (CONSEQUENCES),
  (c) no cell is an error, and the green set passes.
A cell that breaks (b) or (c) is run again once, its scenario alone, to tell a flake from a
misattribution. Switches run a few at a time; each run plays its own servers.

Usage: client_violations_are_caught.py --agent PATH --hubspec PATH [--out DIR] [--jobs N] [--only NAME]...
Exit 0 when every violation is caught as asserted, 1 otherwise.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from violations_are_caught import add_common_arguments, cells, judge, log, prove, scenarios_by_requirement

# Scenarios every switch runs besides its catchers: connecting, calls both ways, stopping.
GREEN = [
    "client.connect.echo-and-stop",
    "client.stop.close-message-first",
]

# Requirements that break by consequence of a switch, where the scenario cannot tell the two
# apart: (scenario, requirement) a failing cell may name besides the switch's own.
CONSEQUENCES = {}


def list_violations(agent):
    out = subprocess.run([agent, "--list-violations"], check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(None, 2)) for line in out.splitlines() if line.strip()]


def run_client_suite(hubspec, agent_command, out_dir, scenario_filter, parallel):
    args = [hubspec, "run", "--client", agent_command, "--out", out_dir, "--filter", scenario_filter,
            "--parallel", str(parallel)]
    with open(out_dir + ".log", "w") as progress:
        subprocess.run(args, stdout=progress, stderr=subprocess.STDOUT, timeout=300)
    with open(os.path.join(out_dir, "results.json")) as f:
        return json.load(f)


def check_violation(args, name, requirement, catchers):
    work = os.path.join(args.out, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    command = f"{args.agent} --violate {name}"
    started = time.monotonic()
    results = run_client_suite(args.hubspec, command, os.path.join(work, "suite"),
                               ",".join(sorted(set(catchers) | set(GREEN))), args.parallel)
    ok, caught, problems = judge(
        name, requirement, cells(results),
        lambda scenario: cells(run_client_suite(args.hubspec, command, os.path.join(work, "rerun-" + scenario),
                                                scenario, 1)),
        CONSEQUENCES.get(name, frozenset()))
    log(f"  {name}: {len(caught)} scenario(s) caught it in {time.monotonic() - started:.0f} s"
        + (f"; PROBLEMS: {'; '.join(problems)}" if problems else ""))
    return ok, caught, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True, help="the hubspec-client-agent binary")
    add_common_arguments(parser)
    args = parser.parse_args()
    return prove(args, list_violations(args.agent), scenarios_by_requirement(args.hubspec, ["--client"]),
                 check_violation, "client violation")


if __name__ == "__main__":
    sys.exit(main())
