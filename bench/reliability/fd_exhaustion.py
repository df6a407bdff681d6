#!/usr/bin/env python3
"""Descriptor exhaustion (issue 16, item 6): hubspec-server started with RLIMIT_NOFILE = 64, then 100
idle TCP connections, more than it can accept. Measures the server's CPU seconds while the extra
connections wait in the listen backlog (an accept loop that retries EMFILE at once spins a core:
it should back off and say so once), then frees the descriptors and checks that a new client is
served again. Prints the figures; exits 1 when the server burnt more than 0.5 CPU-seconds in the
3 s wait, logged nothing about it, or did not recover.

Usage: bench/reliability/fd_exhaustion.py [--server PATH]   (HUBSPEC_SERVER, default build/default/bin/hubspec-server)
"""
import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get("HUBSPEC_SERVER", os.path.join(ROOT, "build/default/bin/hubspec-server")))
    args = parser.parse_args()
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen([args.server, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=log, text=True,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)))
    try:
        port = int(server.stdout.readline().rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(100)]
        time.sleep(0.5)
        fds = len(os.listdir(f"/proc/{server.pid}/fd"))
        before = cpu_seconds(server.pid)
        time.sleep(3)
        burnt = cpu_seconds(server.pid) - before
        for s in idle:
            s.close()
        time.sleep(1)
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /conformance/negotiate?negotiateVersion=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        try:
            recovered = s.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            recovered = False
        s.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    log.seek(0)
    lines = log.read().splitlines()
    said = [l for l in lines if "descriptor" in l.lower() or "too many open files" in l.lower()]
    print(f"server descriptors in use: {fds} of 64; CPU burnt while out of descriptors: {burnt:.2f} s in 3 s; "
          f"log lines about it: {len(said)}; served again after they were freed: {recovered}")
    problems = []
    if burnt > 0.5:
        problems.append(f"the accept loop spins while out of descriptors ({burnt:.2f} CPU-s in 3 s)")
    if not said:
        problems.append("nothing in the log says that connections cannot be accepted")
    if not recovered:
        problems.append("no answer once descriptors were free again")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
