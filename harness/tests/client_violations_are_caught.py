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
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from violations_are_caught import BAD, cells, log, scenarios_by_requirement

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
    caught, suspects, problems = set(), [], []
    for scenario, label, outcome, blamed in cells(results):
        if outcome in BAD and blamed == requirement:
            caught.add(scenario)
        elif outcome in BAD and (scenario, blamed) in CONSEQUENCES.get(name, set()):
            pass
        elif outcome in BAD or outcome == "error":
            suspects.append((scenario, label, outcome, blamed))
    for scenario in sorted({s[0] for s in suspects}):
        again = cells(run_client_suite(args.hubspec, command, os.path.join(work, "rerun-" + scenario), scenario, 1))
        still = {(s, label) for s, label, outcome, blamed in again
                 if outcome == "error" or (outcome in BAD and blamed != requirement)}
        for s, label, outcome, blamed in suspects:
            if s != scenario:
                continue
            if (s, label) in still:
                what = "error" if outcome == "error" else f"{outcome} blaming {blamed or '?'}"
                problems.append(f"{s} [{label}]: {what}")
            else:
                log(f"  note: {name}: {s} [{label}] {outcome} ({blamed}) once, passed alone: a flake")
    if not caught:
        problems.append(f"no cell failed on {requirement}")
    log(f"  {name}: {len(caught)} scenario(s) caught it in {time.monotonic() - started:.0f} s"
        + (f"; PROBLEMS: {'; '.join(problems)}" if problems else ""))
    return not problems, sorted(caught), problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True, help="the hubspec-client-agent binary")
    parser.add_argument("--hubspec", required=True, help="the hubspec binary")
    parser.add_argument("--out", help="work directory (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=3, help="violations checked at a time")
    parser.add_argument("--parallel", type=int, default=3, help="cells at a time in each run")
    parser.add_argument("--only", action="append", default=[], help="check only this violation (repeatable)")
    args = parser.parse_args()
    temporary = None
    if not args.out:
        temporary = tempfile.mkdtemp(prefix="hubspec-client-violations-")
        args.out = temporary
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()

    table = list_violations(args.agent)
    if args.only:
        unknown = set(args.only) - {name for name, _, _ in table}
        if unknown:
            print(f"unknown violation(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        table = [row for row in table if row[0] in args.only]
    by_requirement = scenarios_by_requirement(args.hubspec, ["--client"])
    log(f"{len(table)} client violation(s); work directory {args.out}")

    results = {}
    uncovered = [name for name, requirement, _ in table if not by_requirement.get(requirement)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(check_violation, args, name, requirement, by_requirement[requirement]):
                   (name, requirement) for name, requirement, _ in table if name not in uncovered}
        for future in concurrent.futures.as_completed(futures):
            name, requirement = futures[future]
            try:
                results[name] = future.result()
            except Exception as e:  # a missing results.json, a run past its timeout
                results[name] = (False, [], [f"{type(e).__name__}: {e}"])
    for name in uncovered:
        results[name] = (False, [], ["no client scenario lists its requirement"])

    failed = [name for name, _, _ in table if not results[name][0]]
    print()
    print(f"{'violation':36} {'requirement':11} failing scenarios")
    for name, requirement, _ in table:
        ok, caught, problems = results[name]
        print(f"{name:36} {requirement:11} {', '.join(caught) or '-'}")
        for problem in problems:
            print(f"{'':36} {'':11} PROBLEM: {problem}")
    print()
    print(f"{len(table) - len(failed)}/{len(table)} client violations caught exactly, in "
          f"{time.monotonic() - started:.0f} s" + (f"; not: {', '.join(failed)}" if failed else ""))
    if temporary and not failed:
        shutil.rmtree(temporary, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
