#!/usr/bin/env python3
"""`hubspec load` against hubspec-server on loopback, as a user reads its results (issue 16, item 1).

Each case runs a small, count-bounded load (with a time bound as a guard) and checks the JSON it
writes: every operation asked for completed, no error, percentiles in order, and the mode's own
figures (broadcast: deliveries == broadcasts x receivers, none lost; connect: the server's memory;
stream: items == streams x items each). The errors group checks what a user meets when something
is wrong: a method the hub lacks, and usage mistakes.

Usage: load_test.py HUBSPEC HUBSPEC_SERVER GROUP     GROUP: echo, rate, broadcast, connect, stream, errors
Exit 0 when all holds, 1 otherwise.
"""

import json
import subprocess
import sys

TRANSPORT_PROTOCOLS = [("websockets", "json"), ("websockets", "messagepack"), ("serversentevents", "json"),
                       ("longpolling", "json"), ("longpolling", "messagepack")]  # SSE carries text only

failures = []


def fail(text):
    print("FAIL:", text)
    failures.append(text)


def load(hubspec, *args):
    """Runs hubspec load with --json -; returns (exit status, the JSON or None, stderr)."""
    run = subprocess.run([hubspec, "load", *args, "--json", "-", "--no-progress"], capture_output=True, text=True,
                         timeout=120)
    try:
        result = json.loads(run.stdout)
    except ValueError:
        result = None
    return run.returncode, result, run.stderr


def check_run(name, hubspec, args, completed, **facts):
    status, r, stderr = load(hubspec, *args)
    print(f"--- {name}: exit {status}")
    if r is None:
        return fail(f"{name}: no JSON on stdout (stderr: {stderr.strip()})")
    if status != 0:
        fail(f"{name}: exit {status}, expected 0 (first error: {r['first_error']})")
    if r["errors"] != 0:
        fail(f"{name}: {r['errors']} errors, first: {r['first_error']}")
    if r["completed"] != completed:
        fail(f"{name}: completed {r['completed']}, expected {completed}")
    lat = r["latency_us"]
    if not (0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"]):
        fail(f"{name}: percentiles out of order or empty: {lat}")
    if lat["count"] != completed:
        fail(f"{name}: {lat['count']} latency samples for {completed} completed")
    if not r["per_second"] > 0:
        fail(f"{name}: per_second is {r['per_second']}")
    for key, expected in facts.items():
        if r[key] != expected:
            fail(f"{name}: {key} is {r[key]}, expected {expected}")
    print(f"    {r['completed']} {r['unit'] if r['mode'] != 'stream' else 'streams'} in {r['seconds']:.2f} s, "
          f"{r['per_second']:.0f} {r['unit']}/s, p50 {lat['p50']} us, p99 {lat['p99']} us, max {lat['max']} us")
    return r


def main():
    hubspec, server_path, group = sys.argv[1:4]
    server = subprocess.Popen([server_path, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().split()[-1] + "/conformance"
        pid = str(server.pid)
        if group == "echo":
            for transport, protocol in TRANSPORT_PROTOCOLS:
                check_run(f"echo {transport} {protocol}", hubspec,
                          ["echo", url, "--transport", transport, "--protocol", protocol, "--connections", "2",
                           "--in-flight", "4", "--count", "200", "--seconds", "30", "--server-pid", pid],
                          200, sent=200)
            check_run("echo on the embedded server, after a warm-up", hubspec,
                      ["echo", "--connections", "2", "--in-flight", "2", "--count", "100", "--seconds", "30",
                       "--warmup-seconds", "0.3", "--payload-bytes", "1000"], 100, sent=100)
        elif group == "rate":
            for transport, protocol in [("websockets", "json"), ("longpolling", "messagepack")]:
                r = check_run(f"rate {transport} {protocol}", hubspec,
                              ["rate", url, "--transport", transport, "--protocol", protocol, "--connections", "2",
                               "--rate", "200", "--count", "100", "--seconds", "30", "--server-pid", pid], 100,
                              sent=100)
                # Open loop at 200/s: 100 calls span about half a second, however fast the answers.
                if r and not 0.45 <= r["seconds"] < 5:
                    fail(f"rate {transport}: 100 calls at 200/s took {r['seconds']} s")
        elif group == "broadcast":
            for transport, protocol in [("websockets", "json"), ("websockets", "messagepack"),
                                        ("serversentevents", "json"), ("longpolling", "json")]:
                r = check_run(f"broadcast {transport} {protocol}", hubspec,
                              ["broadcast", url, "--transport", transport, "--protocol", protocol, "--receivers",
                               "5", "--rate", "50", "--count", "20", "--seconds", "30", "--server-pid", pid], 100,
                              sent=20, expected=100, lost=0)
                # CPU time counts in 10 ms ticks: a load this small may show none, never a negative figure.
                if r and not (r["server"] and r["server"]["pid"] == server.pid and r["server"]["cpu_seconds"] >= 0):
                    fail(f"broadcast {transport}: no server figures: {r['server']}")
        elif group == "connect":
            for transport in ["websockets", "longpolling"]:
                r = check_run(f"connect {transport}", hubspec,
                              ["connect", url, "--transport", transport, "--connections", "20", "--rate", "200",
                               "--hold-seconds", "0", "--seconds", "30", "--server-pid", pid], 20,
                              connections_opened=20, connection_failures=0)
                if r and not (r["server"] and r["server"]["rss_after_bytes"] > 0):
                    fail(f"connect {transport}: no server memory figures: {r['server']}")
        elif group == "stream":
            for transport, protocol in [("websockets", "json"), ("websockets", "messagepack"),
                                        ("serversentevents", "json"), ("longpolling", "messagepack")]:
                check_run(f"stream {transport} {protocol}", hubspec,
                          ["stream", url, "--transport", transport, "--protocol", protocol, "--connections", "2",
                           "--stream-items", "50", "--count", "10", "--seconds", "30", "--server-pid", pid], 10,
                          sent=10, items=500)
        elif group == "errors":
            status, r, stderr = load(hubspec, "echo", url, "--method", "echo=NoSuchMethod", "--count", "5",
                                     "--seconds", "10")
            print(f"--- a method the hub lacks: exit {status}")
            if status == 0:
                fail("a method the hub lacks: exit 0")
            if r is None or "NoSuchMethod" not in r["first_error"] or r["errors"] != 5 or r["completed"] != 0:
                fail(f"a method the hub lacks: expected 5 errors naming NoSuchMethod, got {r}")
            if "NoSuchMethod" not in stderr:  # with --json -, the table goes to stderr
                fail(f"a method the hub lacks: the table does not name the method: {stderr}")
            for args, words in [(["rate", url], "needs --rate"), (["echo", url, "--connections", "0"], "--connections"),
                                (["echo", url, "--seconds", "0"], "--seconds"),
                                (["echo", url, "--mode", "stream"], "two modes"),
                                (["echo", url, "--method", "add=Plus"], "echo, broadcast and stream"),
                                (["echo", url, "--transport", "carrier-pigeon"], "--transport")]:
                status, _, stderr = load(hubspec, *args)
                print(f"--- usage {' '.join(args[:1] + args[2:])}: exit {status}")
                if status != 2 or words not in stderr:
                    fail(f"usage {args}: exit {status}, expected 2 and a message with `{words}`: {stderr.strip()}")
            status, _, stderr = load(hubspec, "echo", "http://127.0.0.1:9/nothing-here", "--count", "1")
            print(f"--- nothing listening: exit {status}")
            if status != 2 or "no connection" not in stderr:
                fail(f"nothing listening: exit {status}, expected 2 and `no connection`: {stderr.strip()}")
        else:
            fail(f"unknown group {group}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
