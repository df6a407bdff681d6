#!/usr/bin/env python3
"""Proof of the harness's verdicts (issue 6 item 8b, issue 11 item 5).

For each `hubspec-server --violate NAME` (listed by `--list-violations` with the one
requirement it breaks), start the server with that switch on and run, against it, the
scenarios that should catch it (those whose `requires` lists the requirement, from
`hubspec list`) plus a small set that must stay green. From results.json assert that
  (a) at least one cell fails (or is non-strict) naming exactly the violated requirement,
  (b) every other failing or non-strict cell names it too, or is a documented consequence
      (CONSEQUENCES below): nothing is charged to the wrong requirement,
  (c) no cell is an error, and the green set passes.
A cell that breaks (b) or (c) is run again once, its scenario alone, to tell a flake from
a misattribution. Switches run a few at a time, each against its own server; a `backplane-`
switch against its own cluster: a redis-server on a free port and two servers on it, both
with the switch, the run given the second with --node.

Usage: violations_are_caught.py --server PATH --hubspec PATH [--out DIR] [--jobs N] [--only NAME]...
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
import threading
import time

# The short timings of the embedded server (harness/src/engine/embedded_server.cpp), on both sides.
TIMINGS = [
    "--keepalive-ms", "1000",
    "--client-timeout-ms", "4000",
    "--handshake-timeout-ms", "2000",
    "--disconnect-timeout-ms", "3000",
    "--long-poll-timeout-ms", "5000",
]
BAD = ("fail", "non-strict")

# Scenarios every switch runs besides its catchers: one per layer and transport, all of which
# must pass unless the switch's own requirement is what they fail on.
GREEN = [
    "invocation.echo-returns-argument",
    "handshake.json-success-exact-bytes",
    "negotiate.v1-returns-distinct-token",
    "streaming.stream-yields-items-in-order",
    "groups.join-send-leave",
]

# Requirements that break by consequence of a switch, where the scenario cannot tell the two
# apart: (scenario, requirement) a failing cell may name besides the switch's own.
CONSEQUENCES = {
    # a token equal to the public id makes the id a valid token: NEG-022 cannot hold
    "negotiate-token-is-id": {("negotiate.public-id-is-not-a-token", "NEG-022")},
    # a second copy of a group message is still queued when the scenario checks that a member who
    # left gets nothing more (its expect_no_message takes any GroupMessage)
    "backplane-local-copy": {("groups.join-send-leave", "GRP-003")},
}

print_lock = threading.Lock()


def log(text):
    with print_lock:
        print(text, flush=True)


def list_violations(server):
    out = subprocess.run([server, "--list-violations"], check=True, capture_output=True, text=True).stdout
    table = []
    for line in out.splitlines():
        if line.strip():
            name, requirement, description = line.split(None, 2)
            table.append((name, requirement, description))
    return table


def scenarios_by_requirement(hubspec, list_args=()):
    """{requirement ID: [scenario ids whose `requires` lists it]}, from `hubspec list`."""
    out = subprocess.run([hubspec, "list", *list_args], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        if not line or line.startswith(" "):
            continue  # a title line
        parts = line.split()
        if len(parts) < 2:
            continue
        for requirement in parts[1].split(","):
            found.setdefault(requirement, []).append(parts[0])
    return found


class running_redis:
    """redis-server on a free loopback port, for a cluster of two hubspec-servers."""

    def __init__(self, log_path):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=self.log, stderr=self.log)
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "PING"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"redis-server did not start (log {log_path})")

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()


class running_server:
    """hubspec-server on 127.0.0.1:0 with the short timings; stopped by its pid."""

    def __init__(self, server, violations, log_path, extra=()):
        args = [server, "--listen", "127.0.0.1:0", *TIMINGS, "--detailed-errors", *extra]
        for name in violations:
            args += ["--violate", name]
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        first = self.process.stdout.readline().strip()  # "listening on http://HOST:PORT"
        if not first.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"hubspec-server did not start: {first!r} (log {log_path})")
        self.origin = first[len("listening on "):]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()


def run_suite(hubspec, origin, out_dir, scenario_filter, parallel, nodes=()):
    args = [hubspec, "run", origin + "/conformance", *TIMINGS, "--out", out_dir, "--filter", scenario_filter,
            "--parallel", str(parallel)]
    for node in nodes:
        args += ["--node", node + "/conformance"]
    with open(os.path.join(out_dir + ".log"), "w") as progress:
        subprocess.run(args, stdout=progress, stderr=subprocess.STDOUT, timeout=300)
    with open(os.path.join(out_dir, "results.json")) as f:
        return json.load(f)


def cells(results):
    """(scenario id, cell label, outcome, requirement id) of every cell that ran."""
    found = []
    for scenario in results["scenarios"]:
        for cell in scenario["cells"]:
            failure = cell.get("failure") or {}
            requirement = (failure.get("requirement") or {}).get("id", "")
            label = f'{cell["transport"]}/{cell["protocol"]}' if cell.get("transport") else "once"
            found.append((scenario["id"], label, cell["outcome"], requirement))
    return found


def judge(name, requirement, found, rerun, consequences=frozenset()):
    """(ok, caught scenarios, problems) from the cells of a run against a target with violation
    `name` on: a cell that fails on `requirement` caught it; one that fails on another requirement
    (not a listed consequence) or errs is run again alone through rerun(scenario) -> cells, to tell
    a flake from a misattribution."""
    caught, suspects, problems = set(), [], []
    for scenario, label, outcome, blamed in found:
        if outcome in BAD and blamed == requirement:
            caught.add(scenario)
        elif outcome in BAD and (scenario, blamed) in consequences:
            pass
        elif outcome in BAD or outcome == "error":
            suspects.append((scenario, label, outcome, blamed))
    for scenario in sorted({s[0] for s in suspects}):
        still = {(s, label) for s, label, outcome, blamed in rerun(scenario)
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
    return not problems, sorted(caught), problems


def check_violation(args, name, requirement, catchers):
    """Runs the catchers and the green set against the server violating `name`."""
    work = os.path.join(args.out, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    redis, nodes, others = None, [], []
    if name.startswith("backplane-"):
        redis = running_redis(os.path.join(work, "redis.log"))
        extra = ["--redis", f"127.0.0.1:{redis.port}"]
        server = running_server(args.server, [name], os.path.join(work, "server.log"), extra)
        others.append(running_server(args.server, [name], os.path.join(work, "node2.log"), extra))
        nodes = [o.origin for o in others]
    else:
        server = running_server(args.server, [name], os.path.join(work, "server.log"))
    try:
        started = time.monotonic()
        selected = sorted(set(catchers) | set(GREEN))
        results = run_suite(args.hubspec, server.origin, os.path.join(work, "suite"), ",".join(selected),
                            args.parallel, nodes)
        ok, caught, problems = judge(
            name, requirement, cells(results),
            lambda scenario: cells(run_suite(args.hubspec, server.origin, os.path.join(work, "rerun-" + scenario),
                                             scenario, 1, nodes)),
            CONSEQUENCES.get(name, frozenset()))
        log(f"  {name}: {len(caught)} scenario(s) caught it in {time.monotonic() - started:.0f} s"
            + (f"; PROBLEMS: {'; '.join(problems)}" if problems else ""))
        return ok, caught, problems
    finally:
        server.stop()
        for other in others:
            other.stop()
        if redis:
            redis.stop()


def add_common_arguments(parser):
    """What every proof takes besides the binary under test."""
    parser.add_argument("--hubspec", required=True, help="the hubspec binary")
    parser.add_argument("--out", help="work directory (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=3, help="violations checked at a time")
    parser.add_argument("--parallel", type=int, default=3, help="cells at a time in each run")
    parser.add_argument("--only", action="append", default=[], help="check only this violation (repeatable)")


def prove(args, table, by_requirement, check, what="violation"):
    """Checks each (name, requirement, description) of `table` with check(args, name,
    requirement, catchers), a few at a time, prints the verdicts; returns the exit code."""
    temporary = None
    if not args.out:
        temporary = tempfile.mkdtemp(prefix="hubspec-proof-")
        args.out = temporary
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    if args.only:
        unknown = set(args.only) - {name for name, _, _ in table}
        if unknown:
            print(f"unknown {what}(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        table = [row for row in table if row[0] in args.only]
    log(f"{len(table)} {what}(s); work directory {args.out}")

    results = {}
    uncovered = [name for name, requirement, _ in table if not by_requirement.get(requirement)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(check, args, name, requirement, by_requirement[requirement]):
                   (name, requirement) for name, requirement, _ in table if name not in uncovered}
        for future in concurrent.futures.as_completed(futures):
            name, requirement = futures[future]
            try:
                results[name] = future.result()
            except Exception as e:  # a target that did not start, a missing results.json
                results[name] = (False, [], [f"{type(e).__name__}: {e}"])
    for name in uncovered:
        results[name] = (False, [], ["no scenario lists its requirement"])

    failed = [name for name, _, _ in table if not results[name][0]]
    width = max([len(what) + 1] + [len(name) for name, _, _ in table]) + 1
    print()
    print(f"{what:{width}} {'requirement':11} failing scenarios")
    for name, requirement, _ in table:
        ok, caught, problems = results[name]
        print(f"{name:{width}} {requirement:11} {', '.join(caught) or '-'}")
        for problem in problems:
            print(f"{'':{width}} {'':11} PROBLEM: {problem}")
    print()
    print(f"{len(table) - len(failed)}/{len(table)} {what}s caught exactly, in {time.monotonic() - started:.0f} s"
          + (f"; not: {', '.join(failed)}" if failed else ""))
    if temporary and not failed:
        shutil.rmtree(temporary, ignore_errors=True)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="the hubspec-server binary")
    add_common_arguments(parser)
    args = parser.parse_args()
    return prove(args, list_violations(args.server), scenarios_by_requirement(args.hubspec), check_violation)


if __name__ == "__main__":
    sys.exit(main())
