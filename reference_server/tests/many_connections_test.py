#!/usr/bin/env python3
"""Many WebSocket connections ending at once, with a broadcast still being written to them (issue 16, item 3).

Against hubspec-server on loopback, twice with N connections (default 1000) that each completed the
handshake, one of them Broadcasts 20 KB to all, and then
  1. every client ends politely (a Close frame): the server logs nothing at all;
  2. every client vanishes (TCP reset): the server logs exactly one WS-018 line per connection, and
     nothing about its own cancelled writes ("Operation canceled", "send failed").
After each, every connection is gone from /control/connections, and the server's RSS falls back
below what the connections held at their peak (the allocator's freed memory is returned).
Prints the figures: RSS at start, with the connections, after they ended.

Usage: many_connections_test.py HUBSPEC_SERVER [N]     exit 0 when all holds, 1 otherwise
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

BROADCAST = "x" * 20_000


def post(url):
    return urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10).read()


def frame(opcode, payload):
    """A masked client frame."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def open_websocket(host, port):
    token = json.loads(post(f"http://{host}:{port}/conformance/negotiate?negotiateVersion=1"))["connectionToken"]
    s = socket.create_connection((host, port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /conformance?id={token} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("the upgrade was refused")
        head += chunk
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"the upgrade was refused: {head[:80]!r}")
    s.sendall(frame(0x1, b'{"protocol":"json","version":1}\x1e'))
    return s


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_until_no_connections(origin):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not json.loads(urllib.request.urlopen(f"{origin}/control/connections", timeout=10).read()):
            return True
        time.sleep(0.2)
    return False


def await_broadcast(sender):
    """Reads the sender's own socket until its copy of the Broadcast begins to arrive."""
    seen = b""
    while b"Broadcast" not in seen:
        chunk = sender.recv(65536)
        if not chunk:
            raise RuntimeError("the sender's connection ended before its Broadcast came back")
        seen = seen[-16:] + chunk


def rss_after_sweep(pid, held):
    """The server's RSS once its 1 s sweep returned the freed memory: below `held`, or after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        rss = rss_kb(pid)
        if rss <= held or time.monotonic() > deadline:
            return rss
        time.sleep(0.1)


def run_round(server_path, n, polite):
    log = tempfile.NamedTemporaryFile("w+", suffix=".log")
    server = subprocess.Popen([server_path, "--listen", "127.0.0.1:0", "--control"], stdout=subprocess.PIPE,
                              stderr=log, text=True)
    problems = []
    try:
        origin = server.stdout.readline().split()[-1]
        host, port = origin.split("//")[1].split(":")
        start = rss_kb(server.pid)
        sockets = [open_websocket(host, int(port)) for _ in range(n)]
        held = rss_kb(server.pid)
        sockets[0].sendall(frame(0x1, ('{"type":1,"target":"Broadcast","arguments":["%s"]}\x1e' % BROADCAST).encode()))
        await_broadcast(sockets[0])  # the server is writing it to everyone when the clients go
        for s in sockets:
            if polite:
                s.sendall(frame(0x8, struct.pack(">H", 1000)))
                s.shutdown(socket.SHUT_WR)
            else:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
        if polite:
            for s in sockets:
                try:
                    while s.recv(65536):
                        pass
                except OSError:
                    pass
                s.close()
        if not wait_until_no_connections(origin):
            problems.append("connections were still listed 30 s after their clients went")
        after = rss_after_sweep(server.pid, held)
        how = "polite" if polite else "vanished"
        print(f"{how}: {n} connections; server RSS {start} KB at start, {held} KB with them "
              f"({(held - start) / n:.1f} KB each), {after} KB after they ended")
        if after > held:
            problems.append(f"RSS did not fall back after the connections ended ({after} KB > {held} KB)")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.seek(0)
        lines = [line.rstrip("\n") for line in log if line.startswith("hubspec-server: [")]
    if polite and lines:
        problems.append(f"{len(lines)} log lines for polite ends, e.g. {lines[0]}")
    if not polite:
        lost = [line for line in lines if "[WS-018]" in line]
        others = [line for line in lines if "[WS-018]" not in line]
        if len(lost) != n:
            problems.append(f"{len(lost)} WS-018 lines for {n} vanished clients (one each expected)")
        if others:
            problems.append(f"{len(others)} other log lines, e.g. {others[0]}")
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    problems = run_round(sys.argv[1], n, polite=True) + run_round(sys.argv[1], n, polite=False)
    for p in problems:
        print(f"FAIL: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
