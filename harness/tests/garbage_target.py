#!/usr/bin/env python3
"""A target that answers garbage, for the test that `hubspec run` ends with verdicts, not a hang.

Usage: garbage_target.py MODE
  http-garbage    every request gets HTTP 200 with a body of random bytes
  negotiate-only  negotiate answers a valid version 1 reply offering all three transports;
                  every other request gets random bytes that are not HTTP, and the socket
                  stays open until the client closes it (only the client's deadlines end it)
Prints `listening on http://127.0.0.1:PORT` first; serves until killed.
"""

import json
import os
import socket
import sys
import threading

NEGOTIATE = json.dumps({
    "negotiateVersion": 1,
    "connectionId": "garbage-connection-id-0",
    "connectionToken": "garbage-connection-tok",
    "availableTransports": [
        {"transport": "WebSockets", "transferFormats": ["Text", "Binary"]},
        {"transport": "ServerSentEvents", "transferFormats": ["Text"]},
        {"transport": "LongPolling", "transferFormats": ["Text", "Binary"]},
    ],
}, separators=(",", ":")).encode()


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def respond(conn, status, content_type, body):
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                 "Connection: close\r\n\r\n".encode() + body)


def serve(conn, mode):
    with conn:
        request_line = read_head(conn)
        if request_line is None:
            return
        if mode == "http-garbage":
            respond(conn, "200 OK", "application/json", os.urandom(64))
            return
        if "/negotiate" in request_line.split(" ")[1]:
            respond(conn, "200 OK", "application/json", NEGOTIATE)
            return
        conn.sendall(b"\x00\xff\xfe not HTTP, not SignalR \x1e\x1e" + os.urandom(32))
        while conn.recv(4096):  # hold the socket until the client gives up on it
            pass


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("http-garbage", "negotiate-only"):
        print(__doc__, file=sys.stderr)
        return 2
    listener = socket.create_server(("127.0.0.1", 0))
    print(f"listening on http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
