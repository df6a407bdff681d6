#!/usr/bin/python3
"""Decodes a Redis backplane capture (capture.sh's backplane.log: MONITOR lines) and checks it
against shared/spec/redis-backplane.md, one finding per broken requirement (issue 13).

    check_capture.py BACKPLANE_LOG [--hub Hubspec.Interop.AspNetCore.ConformanceHub] [--prefix P] [--decoded OUT]

Every PUBLISH payload is decoded with a strict MessagePack decoder (the whole payload, smallest
encodings only) and its shape checked per channel; subscriptions are checked for their order and
timing. --decoded writes one readable line per command. Exit 0 when every check held, 1 otherwise.
"""

import argparse
import json
import re
import sys

LINE = re.compile(r'^(?P<time>[0-9.]+) \[(?P<db>\d+) (?P<client>[^\]]+)\] (?P<args>.*)$')
SERVER_NAME = re.compile(r'^.+_[0-9a-f]{32}$')


def monitor_args(text):
    """MONITOR's quoted arguments (sdscatrepr escapes) as bytes."""
    out, i = [], 0
    while i < len(text):
        if text[i] == ' ':
            i += 1
            continue
        assert text[i] == '"', text[i:]
        i += 1
        arg = bytearray()
        while text[i] != '"':
            c = text[i]
            if c == '\\':
                n = text[i + 1]
                if n == 'x':
                    arg.append(int(text[i + 2:i + 4], 16))
                    i += 4
                    continue
                arg += {'n': b'\n', 'r': b'\r', 't': b'\t', 'a': b'\a', 'b': b'\b'}.get(n, n.encode())
                i += 2
                continue
            arg += c.encode('latin-1')
            i += 1
        out.append(bytes(arg))
        i += 1
    return out


class Bin(bytes):
    """A MessagePack bin value (bytes are str only when decoded from str)."""


class Decoder:
    """Strict MessagePack: the types the backplane uses, smallest encodings only (RB-031)."""

    def __init__(self, data):
        self.data, self.pos, self.problems = data, 0, []

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"truncated at byte {self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def uint(self, n):
        return int.from_bytes(self.take(n), 'big')

    def value(self):
        b = self.take(1)[0]
        if b <= 0x7f:
            return b
        if b >= 0xe0:
            return b - 0x100
        if 0x80 <= b <= 0x8f:
            return self.map(b & 0x0f)
        if 0x90 <= b <= 0x9f:
            return [self.value() for _ in range(b & 0x0f)]
        if 0xa0 <= b <= 0xbf:
            return self.str(b & 0x1f)
        if b == 0xc0:
            return None
        if b in (0xc2, 0xc3):
            return b == 0xc3
        if b in (0xc4, 0xc5, 0xc6):
            n = self.uint(1 << (b - 0xc4))
            self.smallest(n, {0xc4: 0, 0xc5: 0xff, 0xc6: 0xffff}[b], "bin")
            return Bin(self.take(n))
        if b in (0xcc, 0xcd, 0xce, 0xcf):
            v = self.uint(1 << (b - 0xcc))
            self.smallest(v, {0xcc: 0x7f, 0xcd: 0xff, 0xce: 0xffff, 0xcf: 0xffffffff}[b], "uint")
            return v
        if b in (0xd9, 0xda, 0xdb):
            n = self.uint(1 << (b - 0xd9))
            self.smallest(n, {0xd9: 31, 0xda: 0xff, 0xdb: 0xffff}[b], "str")
            return self.str(n)
        if b in (0xdc, 0xdd):
            n = self.uint(2 if b == 0xdc else 4)
            return [self.value() for _ in range(n)]
        if b in (0xde, 0xdf):
            return self.map(self.uint(2 if b == 0xde else 4))
        raise ValueError(f"MessagePack type 0x{b:02x} is not used by the backplane")

    def smallest(self, n, below, kind):
        if n <= below:
            self.problems.append(f"RB-031: {kind} of {n} not in its smallest encoding")

    def str(self, n):
        return self.take(n).decode('utf-8')

    def map(self, n):
        pairs = [(self.value(), self.value()) for _ in range(n)]
        return dict(pairs) if len({k for k, _ in pairs}) == n else pairs


def decode(payload):
    d = Decoder(payload)
    value = d.value()
    if d.pos != len(payload):
        d.problems.append(f"RB-030: {len(payload) - d.pos} bytes after the payload's array")
    return value, d.problems


def show(value):
    if isinstance(value, Bin):
        return "bin(" + (repr(value.decode('utf-8', 'replace')) if value[:1] == b'{' else value.hex(' ')) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def varint_framed(body):
    """The MessagePack hub framing: VarInt length, then exactly that many bytes (RB-042)."""
    length, shift, i = 0, 0, 0
    while True:
        b = body[i]
        length |= (b & 0x7f) << shift
        i += 1
        if not b & 0x80:
            break
        shift += 7
    return len(body) - i == length, body[i:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--hub", default="Hubspec.Interop.AspNetCore.ConformanceHub")
    parser.add_argument("--prefix", default="", help="the nodes' channel prefix (RB-001)")
    parser.add_argument("--decoded")
    a = parser.parse_args()
    hub = a.prefix + a.hub + ":"
    unprefixed_hub = a.hub + ":"
    problems, decoded = [], []
    subscribed_by = {}  # client address -> channels in order
    group_subscribed_at = {}
    pending_requests = {}  # invocation id -> return channel
    commands = 0

    def check(ok, requirement, text):
        if not ok:
            problems.append(f"{requirement}: {text}")

    for line in open(a.log, encoding='latin-1'):
        m = LINE.match(line.rstrip('\n'))
        if not m:
            continue
        args = monitor_args(m['args'])
        verb, channel = args[0].decode(), args[1].decode('utf-8')
        client = m['client']
        if not channel.startswith(hub):
            continue  # another hub's channels, or StackExchange.Redis's own (RB-008)
        commands += 1
        suffix = channel[len(hub):]
        if verb in ("SUBSCRIBE", "UNSUBSCRIBE"):
            decoded.append(f"{verb} {channel}")
            if verb == "SUBSCRIBE" and suffix not in subscribed_by.get(client, []):
                # a repeat changes nothing in Redis (StackExchange.Redis sends some twice under load)
                subscribed_by.setdefault(client, []).append(suffix)
                if suffix.startswith("group:"):
                    group_subscribed_at[suffix] = commands
            continue
        value, decode_problems = decode(args[2])
        problems += [f"{p} (PUBLISH {channel})" for p in decode_problems]
        decoded.append(f"PUBLISH {channel} {show(value)}")
        kind = suffix.split(":")[0]
        if kind in ("all", "group", "user", "connection"):
            check(isinstance(value, list) and len(value) in (2, 4), "RB-036", f"{channel}: not a 2- or 4-item array")
            excluded, messages = value[0], value[1]
            check(isinstance(excluded, list) and all(isinstance(x, str) for x in excluded), "RB-037",
                  f"{channel}: excluded ids {show(excluded)} is not an array of str")
            check(isinstance(messages, dict) and list(messages) == ["json", "messagepack"], "RB-045",
                  f"{channel}: protocols {show(messages)} are not json then messagepack")
            check(all(isinstance(v, Bin) for v in messages.values()), "RB-042", f"{channel}: a message is not bin")
            text = messages.get("json", b"")
            check(text.endswith(b"\x1e"), "RB-042", f"{channel}: the json message does not end with RS")
            invocation = json.loads(text[:-1]) if text.endswith(b"\x1e") else {}
            framed, body = varint_framed(messages.get("messagepack", b"\x00"))
            check(framed, "RB-042", f"{channel}: the messagepack message is not VarInt-framed")
            mp, _ = decode(body)
            check(invocation.get("type") == 1 and mp[0] == 1, "RB-043", f"{channel}: not an Invocation")
            if len(value) == 2:
                check("invocationId" not in invocation and mp[2] is None, "RB-043",
                      f"{channel}: an ordinary send carries an invocationId")
            else:
                check(kind == "connection", "RB-071", f"{channel}: a client-result request outside a connection channel")
                check(value[2] == invocation.get("invocationId") == mp[2], "RB-038",
                      f"{channel}: invocation id {value[2]} differs from the embedded messages'")
                check(re.fullmatch(r"[A-Za-z0-9+/]{22}", value[2] or "") is not None, "RB-062",
                      f"{channel}: invocation id {value[2]!r} is not 22 base64 characters")
                check(value[3].startswith(unprefixed_hub + "internal:return:"), "RB-039",
                      f"{channel}: return channel {value[3]!r} is not {unprefixed_hub}internal:return:{{S}}")
                pending_requests[value[2]] = a.prefix + value[3]  # the host adds its own prefix
        elif suffix == "internal:groups":
            check(isinstance(value, list) and len(value) == 5 and isinstance(value[0], int)
                  and isinstance(value[1], str) and value[2] in (1, 2) and isinstance(value[3], str)
                  and isinstance(value[4], str), "RB-053", f"group command {show(value)} is not [id, S, 1|2, g, c]")
            check(SERVER_NAME.match(value[1] or "") is not None, "RB-011", f"server name {value[1]!r}")
        elif suffix.startswith("internal:ack:"):
            check(isinstance(value, list) and len(value) == 1 and isinstance(value[0], int), "RB-056",
                  f"ack {show(value)} is not [id]")
        elif suffix.startswith("internal:return:"):
            check(isinstance(value, list) and len(value) == 2 and value[0] in ("json", "messagepack")
                  and isinstance(value[1], Bin), "RB-065", f"completion {show(value)} is not [protocol, bin]")
            if value[0] == "messagepack":
                framed, body = varint_framed(value[1])
                completion, _ = decode(body)
                check(framed and completion[0] == 3, "RB-065", "the completion is not a framed MessagePack Completion")
                check(pending_requests.get(completion[2]) == channel, "RB-065",
                      f"completion {completion[2]} came on {channel}, asked on {pending_requests.get(completion[2])}")
        else:
            problems.append(f"RB-001: PUBLISH on unknown channel {channel}")

    # RB-014: each node's first four subscriptions of the hub, in .NET's order.
    nodes = [subs for subs in subscribed_by.values() if subs and subs[0] == "all"]
    check(len(nodes) >= 2, "RB-014", f"{len(nodes)} nodes subscribed {hub}all first")
    for subs in nodes:
        first = subs[:4]
        ok = (len(first) == 4 and first[1] == "internal:groups" and first[2].startswith("internal:ack:")
              and first[3] == "internal:return:" + first[2][len("internal:ack:"):])
        check(ok, "RB-014", f"a node's first subscriptions are {first}")
    check(commands > 0, "capture", f"no command of {hub} in {a.log}")

    if a.decoded:
        with open(a.decoded, "w", encoding="utf-8") as out:
            out.write("\n".join(decoded) + "\n")
    for p in problems:
        print("FAIL:", p)
    print(f"check_capture: {commands} commands of {hub[:-1]}, {len(problems)} finding(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
