#!/usr/bin/env python3
"""Socket-level fuzzer of hubspec-server's HTTP and WebSocket handling (issue 16, item 6.4).

The libFuzzer targets (fuzz/) feed the codecs in-process; this feeds the whole server through real
sockets on 127.0.0.1: HTTP parsing and routing, negotiate, the WebSocket upgrade and framing, the
SignalR handshake and hub records over WebSockets (JSON and MessagePack), long-polling POSTs and
Server-Sent Events requests. Each case takes a seed conversation, mutates it (WebSocket frames,
hub records, then bytes), sends it on a fresh socket in pieces of random size, reads what comes
back for a moment and files the answer under an outcome (HTTP status, WebSocket close code,
closed, silent).

The server passes when, over the whole run, it never exits, logs no crash or sanitizer report,
starts every answer with an HTTP status line, answers an Echo on a fresh connection every
--check-every cases and at the end, and gives back the descriptors the cases used (its open fds
return to the count before the run). Point --server at the ASan build to catch memory errors
(`ctest --preset asan` does). When a check fails, the cases sent since the last good one are
written to --crashes DIR; `--seed S --case I` replays one of them alone.

Usage:
  bench/reliability/wire_fuzz.py [--server PATH] [--cases N] [--seconds S] [--seed N] [--jobs N]
                                 [--crashes DIR] [--case I]
HUBSPEC_SERVER (or --server) names the server binary. Every case draws from its own generator
(seeded by --seed and its index), so a run is repeatable up to the server's answers.
The standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import random
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bad_inputs as bi  # noqa: E402  (sockets, HTTP, frames, Echo, the server's timeouts)

LINGER = 0.05  # seconds of silence after which a case's answer is taken as complete
CASE_READ_BOUND = 1.0  # seconds a case reads at most
CRASH_MARKERS = ("Sanitizer", "runtime error:", "terminate called", "Assertion", "Segmentation")

# ---- seeds: conversations a client could send, as raw bytes and WebSocket frames -------------------


def http(method, target, body=b"", headers=()):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {bi.HOST}:{bi.PORT}"] + [f"{k}: {v}" for k, v in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# In a seed, between the upgrade request and the first frame: the client waits for the server's answer
# before it sends frames (RFC 6455 section 4.1), and the case goes on only after a 101.
AWAIT_UPGRADE = "await-upgrade"


def ws_frame(opcode, payload, fin=True):
    return {"fin": fin, "rsv": 0, "opcode": opcode, "mask": True, "payload": payload, "length": None}


def json_record(**fields):
    return json.dumps(fields).encode() + bi.RS


JSON_RECORDS = [
    lambda: json_record(type=1, invocationId="1", target="Echo", arguments=["fuzz"]),
    lambda: json_record(type=1, target="Send", arguments=["fuzz", 1, True, None, {"k": [1.5]}]),
    lambda: json_record(type=4, invocationId="2", target="Stream", arguments=[3, 0]),
    lambda: json_record(type=1, invocationId="3", target="UploadSum", arguments=[], streamIds=["s1"]),
    lambda: json_record(type=2, invocationId="s1", item=5),
    lambda: json_record(type=3, invocationId="s1"),
    lambda: json_record(type=5, invocationId="2"),
    lambda: json_record(type=6),
    lambda: json_record(type=7, error="bye", allowReconnect=True),
    lambda: json_record(type=8, sequenceId=1),
    lambda: json_record(type=9, sequenceId=1),
]
MP_RECORDS = [
    lambda: bi.mp_echo("fuzz", "1"),
    lambda: bi.mp_record(b"\x91\x06"),  # Ping
    lambda: bi.mp_record(b"\x94\x05\x80" + bi.mp_str("2") + b"\xc0"),  # CancelInvocation
    lambda: bi.mp_record(b"\x95\x02\x80" + bi.mp_str("s1") + b"\x05\xc0"),  # StreamItem
    lambda: bi.mp_record(b"\x93\x07\xc0\xc2"),  # Close
]


def seed_negotiate(rng, token):
    return [http("POST", rng.choice(["/conformance/negotiate?negotiateVersion=1",
                                     "/conformance/negotiate?negotiateVersion=1&useStatefulReconnect=true",
                                     "/conformance-plain/negotiate", "/chat/negotiate?negotiateVersion=0"]))]


def seed_pipelined(rng, token):
    return [http("GET", "/"), http("POST", "/conformance/negotiate?negotiateVersion=1"),
            http("OPTIONS", "/conformance/negotiate", headers=[("Origin", "http://a.test")])]


def seed_chunked(rng, token):
    body = b'{"protocol":"json","version":1}\x1e'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    head = (f"POST /conformance?id={token} HTTP/1.1\r\nHost: {bi.HOST}:{bi.PORT}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    return [head + chunked]


def seed_websocket_json(rng, token):
    frames = [ws_frame(0x1, bi.JSON_HS)] + [ws_frame(0x1, rng.choice(JSON_RECORDS)()) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.3:
        frames.append(ws_frame(0x9, b"ping"))
    if rng.random() < 0.3:
        frames.append(ws_frame(0x8, struct.pack(">H", 1000) + b"done"))
    return [bi.upgrade_request(f"/conformance?id={token}"), AWAIT_UPGRADE] + frames


def seed_websocket_messagepack(rng, token):
    frames = [ws_frame(0x1, bi.MP_HS)] + [ws_frame(0x2, rng.choice(MP_RECORDS)()) for _ in range(rng.randint(1, 4))]
    return [bi.upgrade_request(f"/conformance?id={token}"), AWAIT_UPGRADE] + frames


def seed_websocket_fragmented(rng, token):
    record = json_record(type=1, invocationId="1", target="Echo", arguments=["x" * rng.randint(1, 300)])
    cut = rng.randint(1, len(record) - 1)
    return [bi.upgrade_request(f"/conformance?id={token}"), AWAIT_UPGRADE, ws_frame(0x1, bi.JSON_HS),
            ws_frame(0x1, record[:cut], fin=False), ws_frame(0x0, record[cut:])]


def seed_long_poll_post(rng, token):
    records = b"".join(rng.choice(JSON_RECORDS)() for _ in range(rng.randint(1, 3)))
    return [http("POST", f"/conformance?id={token}", records)]


def seed_event_stream(rng, token):
    return [http("GET", f"/conformance?id={token}", headers=[("Accept", "text/event-stream")])]


# (name, build, what the token must be: None, "negotiated" or "long-polling")
SEEDS = [
    ("negotiate", seed_negotiate, None),
    ("pipelined", seed_pipelined, None),
    ("chunked", seed_chunked, "negotiated"),
    ("websocket-json", seed_websocket_json, "negotiated"),
    ("websocket-messagepack", seed_websocket_messagepack, "negotiated"),
    ("websocket-fragmented", seed_websocket_fragmented, "negotiated"),
    ("long-poll-post", seed_long_poll_post, "long-polling"),
    ("event-stream", seed_event_stream, "negotiated"),
]

# ---- mutations -------------------------------------------------------------------------------------

INTERESTING_BYTES = b"\x00\xff\x7f\x80\r\n: \"\x1e{}[]\\%"
INTERESTING_NUMBERS = [b"0", b"-1", b"4294967296", b"18446744073709551616", b"99999999999999999999999", b"1e400",
                       b"0x10", b"+5", b" 5", b"5 5"]
INTERESTING_JSON = [None, True, -1, 0, 2 ** 63, 2 ** 64, 1.5e308, "", "x" * 40000, [], {}, "\ud800",
                    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], {"type": 1}]
INTERESTING_HEADERS = [b"Transfer-Encoding: chunked\r\n", b"Content-Length: 5\r\n", b"Content-Length: -1\r\n",
                       b"Connection: close\r\n", b"Upgrade: websocket\r\n", b"Sec-WebSocket-Version: 8\r\n",
                       b"X-Long: " + b"a" * 9000 + b"\r\n", b"Authorization: Bearer \xff\xfe\r\n",
                       b"Expect: 100-continue\r\n", b"Content-Type: text/plain; charset=\xc3\r\n"]


def mutate_json_record(rng, payload):
    """A hub record with one field replaced, removed or added (the JSON still parses)."""
    try:
        text = payload.rstrip(bi.RS)
        record = json.loads(text)
    except ValueError:
        return payload
    if not isinstance(record, dict):
        return payload
    action = rng.random()
    keys = list(record)
    if action < 0.6 and keys:
        record[rng.choice(keys)] = rng.choice(INTERESTING_JSON)
    elif action < 0.8 and keys:
        del record[rng.choice(keys)]
    else:
        record[rng.choice(["type", "invocationId", "target", "arguments", "streamIds", "headers", "item",
                           "result", "error", "unknown"])] = rng.choice(INTERESTING_JSON)
    out = json.dumps(record).encode()
    if rng.random() < 0.2:  # numbers JSON allows and doubles do not hold
        out = out.replace(b"-1", rng.choice(INTERESTING_NUMBERS), 1)
    return out + bi.RS


def mutate_frame(rng, f):
    f = dict(f)
    choice = rng.randrange(7)
    if choice == 0:
        f["opcode"] = rng.randrange(16)
    elif choice == 1:
        f["fin"] = not f["fin"]
    elif choice == 2:
        f["rsv"] = rng.choice([0x10, 0x20, 0x40, 0x70])
    elif choice == 3:
        f["mask"] = False
    elif choice == 4:
        f["length"] = rng.choice([0, 1, len(f["payload"]) + 1, max(0, len(f["payload"]) - 1), 126, 65536,
                                  2 ** 32, 2 ** 63 - 1])
    elif choice == 5 and f["payload"].startswith(b"{"):
        f["payload"] = mutate_json_record(rng, f["payload"])
    else:
        f["payload"] = mutate_bytes(rng, f["payload"], rounds=1)
    return f


def mutate_frames(rng, parts):
    """Frame-level changes: a field of one frame, a frame dropped, doubled, split, or a control frame added."""
    indices = [i for i, p in enumerate(parts) if isinstance(p, dict)]
    if not indices:
        return parts
    parts = list(parts)
    i = rng.choice(indices)
    choice = rng.randrange(6)
    if choice < 2:
        parts[i] = mutate_frame(rng, parts[i])
    elif choice == 2:
        del parts[i]
    elif choice == 3:
        parts.insert(i, dict(parts[i]))
    elif choice == 4 and len(parts[i]["payload"]) > 1:
        cut = rng.randint(1, len(parts[i]["payload"]) - 1)
        first = dict(parts[i], payload=parts[i]["payload"][:cut], fin=False)
        rest = dict(parts[i], payload=parts[i]["payload"][cut:], opcode=0x0)
        parts[i:i + 1] = [first, rest]
    else:
        control = rng.choice([0x8, 0x9, 0xA])
        payload = rng.choice([b"", b"x" * 126, struct.pack(">H", rng.choice([999, 1004, 1005, 2000, 4999])),
                              struct.pack(">H", 1000) + b"\xff\xfe", os.urandom(0)])
        parts.insert(i, ws_frame(control, payload))
    return parts


def mutate_bytes(rng, data, rounds=None):
    """Byte-level changes: flips, interesting bytes and numbers, insertions, deletions, repeats, a cut."""
    data = bytearray(data)
    for _ in range(rounds or 1 + min(int(rng.expovariate(1.0)), 6)):
        choice = rng.randrange(9)
        at = rng.randrange(len(data) + 1)
        if choice == 0 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1 and data:
            data[min(at, len(data) - 1)] = rng.choice(INTERESTING_BYTES)
        elif choice == 2:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif choice == 3 and data:
            del data[at:at + rng.randint(1, 32)]
        elif choice == 4 and data:
            end = min(len(data), at + rng.randint(1, 64))
            data[at:at] = data[at:end] * rng.randint(1, 40)
        elif choice == 5 and data:
            del data[at:]
        elif choice == 6:
            digits = [i for i in range(len(data)) if 48 <= data[i] <= 57]
            if digits:
                start = end = rng.choice(digits)
                while end < len(data) and 48 <= data[end] <= 57:
                    end += 1
                data[start:end] = rng.choice(INTERESTING_NUMBERS)
        elif choice == 7:
            line = data.find(b"\r\n")
            if line >= 0:
                data[line + 2:line + 2] = rng.choice(INTERESTING_HEADERS)
        else:
            data[at:at] = rng.choice([b"\r\n", b"\r\n\r\n", b"\n", b"\x1e", b"\x00", b"%", b"\xc0\x80"])
    return bytes(data)


def serialize(rng, parts):
    out = b""
    for p in parts:
        if isinstance(p, dict):
            key = bytes(rng.randrange(256) for _ in range(4))
            out += bi.frame(p["opcode"], p["payload"], fin=p["fin"], mask=p["mask"], rsv=p["rsv"],
                            length=p["length"], key=key)
        else:
            out += p
    return out


def make_case(seed, index, token):
    """The bytes of case `index`, drawn from its own generator; `token` fills the seed's connection id."""
    rng = random.Random(f"{seed}/{index}")
    name, build, _ = SEEDS[index % len(SEEDS)]
    parts = build(rng, token)
    for _ in range(1 + min(int(rng.expovariate(0.8)), 4)):
        if rng.random() < 0.75 and any(isinstance(p, dict) for p in parts):
            parts = mutate_frames(rng, parts)
        else:
            raw = [i for i, p in enumerate(parts) if isinstance(p, bytes)]
            i = rng.choice(raw)
            parts = parts[:i] + [mutate_bytes(rng, parts[i])] + parts[i + 1:]
    turns, turn = [], []
    for p in parts + [AWAIT_UPGRADE]:
        if p == AWAIT_UPGRADE:
            turns.append(in_pieces(rng, serialize(rng, turn)))
            turn = []
        else:
            turn.append(p)
    return name, turns


def in_pieces(rng, data):
    """How a turn's bytes go out: mostly one write; sometimes random cuts, sometimes byte by byte at first."""
    if rng.random() < 0.7 or len(data) < 2:
        return [data]
    if rng.random() < 0.8:
        cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(1, 8))))
        return [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
    head = min(len(data), 48)
    return [data[i:i + 1] for i in range(head)] + ([data[head:]] if head < len(data) else [])


# ---- one case on the wire -------------------------------------------------------------------------

def token_for(kind):
    if kind == "negotiated":
        return bi.negotiate(stateful=False)
    if kind == "long-polling":
        return bi.lp_connection()
    return ""


def websocket_outcome(rest, closed):
    """What the server's frames after a 101 came to: its Close code, data, or nothing."""
    outcome, at = None, 0
    while len(rest) - at >= 2:
        opcode, n, head = rest[at] & 0x0F, rest[at + 1] & 0x7F, 2
        if n == 126 and len(rest) - at >= 4:
            n, head = struct.unpack(">H", rest[at + 2:at + 4])[0], 4
        elif n == 127 and len(rest) - at >= 10:
            n, head = struct.unpack(">Q", rest[at + 2:at + 10])[0], 10
        payload = rest[at + head:at + head + n]
        if opcode == 0x8:
            return "ws-close " + (str(struct.unpack(">H", payload[:2])[0]) if len(payload) >= 2 else "(no code)")
        outcome = outcome or ("ws-data" if opcode in (0x1, 0x2) else None)
        at += head + n
    return outcome or ("ws-closed" if closed else "ws-silent")


def outcome_of(data, closed):
    if not data:
        return "closed" if closed else "silent"
    if not data.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")):
        return "NOT HTTP: " + repr(data[:40])
    head, _, rest = data.partition(b"\r\n\r\n")
    status = bi.status_of(head)
    if status == 101:
        return "101, " + websocket_outcome(rest, closed)
    return f"HTTP {status}"


def run_case(seed, index):
    name, _, token_kind = SEEDS[index % len(SEEDS)]
    try:
        token = token_for(token_kind)
    except Exception as e:  # the server refused a well-formed negotiate: a finding of its own
        return index, name, [], f"SETUP FAILED: {e}"
    name, turns = make_case(seed, index, token)
    s = bi.connect(timeout=CASE_READ_BOUND)
    data, closed, sent = b"", False, []
    try:
        for number, pieces in enumerate(turns):
            if number and not data.startswith(b"HTTP/1.1 101 "):
                break  # the upgrade was refused: the frames stay unsent
            sent += pieces
            for piece in pieces:
                bi.send_quietly(s, piece)
            more, closed = read_answer(s, wait_for_head=number + 1 < len(turns))
            data += more
            if closed:
                break
    finally:
        s.close()
    return index, name, sent, outcome_of(data, closed)


def read_answer(s, wait_for_head):
    """What the server sends until it closes or falls silent; with `wait_for_head`, at least a response head."""
    data, deadline = b"", time.monotonic() + CASE_READ_BOUND
    while time.monotonic() < deadline and len(data) < 1 << 20:
        waiting = wait_for_head and b"\r\n\r\n" not in data
        s.settimeout(max(0.001, deadline - time.monotonic()) if waiting else LINGER)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            if waiting:
                continue
            break
        except OSError:
            chunk = b""
        if not chunk:
            return data, True
        data += chunk
    return data, False


# ---- the server, its descriptors and its log --------------------------------------------------------

def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds_settle(pid, limit, bound=20.0):
    """The server's open fds once they are back to `limit` or `bound` s have passed."""
    deadline = time.monotonic() + bound
    while True:
        n = open_fds(pid)
        if n <= limit or time.monotonic() >= deadline:
            return n
        time.sleep(0.2)


def save_cases(directory, seed, window):
    os.makedirs(directory, exist_ok=True)
    for index, name, pieces in window:
        with open(os.path.join(directory, f"case-{seed}-{index}-{name}.bin"), "wb") as f:
            f.write(b"".join(pieces))
    with open(os.path.join(directory, "README"), "a") as f:
        f.write(f"seed {seed}: cases {[w[0] for w in window]}; replay one: wire_fuzz.py --seed {seed} --case I\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.environ.get("HUBSPEC_SERVER",
                                                           os.path.join(bi.ROOT, "build/default/bin/hubspec-server")))
    parser.add_argument("--cases", type=int, default=2000, help="cases to send (default 2000)")
    parser.add_argument("--seconds", type=float, help="stop after this long, even before --cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=4, help="cases on the wire at once (default 4)")
    parser.add_argument("--check-every", type=int, default=100, help="an Echo check every N cases (default 100)")
    parser.add_argument("--crashes", default=os.path.join(tempfile.gettempdir(), "hubspec-wire-fuzz"),
                        help="where the cases before a failed check go")
    parser.add_argument("--case", type=int, help="replay this one case alone")
    parser.add_argument("--log", help="keep the server's log in this file")
    args = parser.parse_args()

    problems, outcomes, window = [], {}, []  # window: the cases since the last good check
    sent, since_check = 0, 0
    started = time.monotonic()

    def collect(future):
        nonlocal sent, since_check
        i, name, pieces, outcome = future.result()
        window.append((i, name, pieces))
        outcomes[(name, outcome)] = outcomes.get((name, outcome), 0) + 1
        sent, since_check = sent + 1, since_check + 1
        if outcome.startswith(("NOT HTTP", "SETUP FAILED")):
            problems.append(f"case {i} ({name}): {outcome}")

    with bi.ServerProcess(args.server, ["--keepalive-ms", "1000", "--client-timeout-ms", "4000"], args.log) as running:
        server = running.process
        if not bi.echo_ok():
            print("the server does not answer an Echo before the first case", file=sys.stderr)
            return 1
        fds_before, rss_before = open_fds(server.pid), rss_kb(server.pid)
        indices = [args.case] if args.case is not None else range(args.cases)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            pending = set()
            for index in indices:
                if problems or (args.seconds and time.monotonic() - started > args.seconds):
                    break
                pending.add(pool.submit(run_case, args.seed, index))
                if len(pending) < args.jobs * 2:
                    continue
                done, pending = concurrent.futures.wait(pending, return_when="FIRST_COMPLETED")
                for future in done:
                    collect(future)
                if server.poll() is not None:
                    problems.append(f"the server exited with {server.returncode}")
                elif since_check >= args.check_every:
                    if not bi.echo_ok():
                        problems.append(f"no Echo on a fresh connection after case {index}")
                    else:
                        window.clear()
                        since_check = 0
            for future in concurrent.futures.as_completed(pending):
                collect(future)
        elapsed = time.monotonic() - started
        alive = server.poll() is None
        if alive and not bi.echo_ok():
            problems.append("no Echo after the last case")
        fds_after = fds_settle(server.pid, fds_before + 2) if alive else None
        if fds_after is not None and fds_after > fds_before + 2:
            problems.append(f"descriptors not given back: {fds_before} open before the cases, {fds_after} after 20 s")
        rss_after = rss_kb(server.pid) if alive else None
    died, raw_log = running.exit_status, running.log_lines
    log_lines = [line.decode("utf-8", "replace") for line in raw_log]
    crashes = [line for line in log_lines if any(m in line for m in CRASH_MARKERS)]
    # Log lines quote what clients sent: each must still be one printable line of the server's logger.
    forged = [line for line in raw_log if not line.startswith(b"hubspec-server: [") or
              any(b < 0x20 or b >= 0x7f for b in line)]
    if died is not None and not any("exited" in p for p in problems):
        problems.append(f"the server exited with {died}")
    problems += [f"server log: {line}" for line in crashes[:5]]
    problems += [f"a log line the server did not write as one printable line: {line[:120]!r}"
                 for line in forged[:3] if not any(m.encode() in line for m in CRASH_MARKERS)]

    print(f"| seed | outcome | cases |\n| --- | --- | ---: |")
    for (name, outcome), n in sorted(outcomes.items()):
        print(f"| {name} | {outcome} | {n} |")
    print(f"\n{sent} cases (seed {args.seed}) in {elapsed:.1f} s, {sent / max(elapsed, 1e-9):.0f} cases/s, "
          f"{len(outcomes)} distinct outcomes; server fds {fds_before} before, {fds_after} after; "
          f"RSS {rss_before} kB before, {rss_after} kB after; {len(log_lines)} server log lines")
    if problems:
        save_cases(args.crashes, args.seed, window)
        for p in problems:
            print("FAIL:", p)
        print(f"the {len(window)} case(s) since the last good check are in {args.crashes}")
        return 1
    print("ok: the server stayed up, answered every check and gave its descriptors back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
