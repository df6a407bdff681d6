#!/usr/bin/env python3
"""Cross-checks hubspec's protocol core against Microsoft's own codec.

For each hub protocol:
  1. Microsoft's TS protocol classes (interop/js/codec.mjs) write a varied set of
     sample messages; `hubspec decode` must read each back to the same content.
  2. `hubspec encode` writes the same samples; Microsoft's parser must read each
     back to the same content.

Contents are compared as JSON values, numbers numerically (JavaScript has one
number type). Exit 0 on agreement, 1 on any disagreement (each printed), 77
when Node.js or the npm packages are missing and HUBSPEC_REQUIRE_INTEROP is not
set (CTest reports a skip).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def skip_or_fail(reason):
    if os.environ.get("HUBSPEC_REQUIRE_INTEROP") == "1":
        print(f"FAIL: {reason} (HUBSPEC_REQUIRE_INTEROP=1)")
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def run(command, stdin_bytes=None):
    done = subprocess.run(command, input=stdin_bytes, capture_output=True, timeout=120)
    return done.returncode, done.stdout, done.stderr.decode(errors="replace")


def read_lines(data):
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def tolerate_microsoft_limits(protocol, expected, seen):
    """Microsoft's TS classes are a client's codec: where they knowingly drop
    something (documented in codec.mjs), compare what they keep."""
    if isinstance(seen, dict) and seen.get("skipped") and expected["type"] in ("StreamInvocation", "CancelInvocation"):
        return expected, expected  # a client never receives these; its parser skips them
    if protocol == "messagepack" and expected["type"] == "Invocation" and isinstance(seen, dict):
        expected = dict(expected)
        expected.pop("streamIds", None)  # its MessagePack parser drops streamIds
        seen = dict(seen)
        seen.pop("streamIds", None)
    return expected, seen


def without_false_allow_reconnect(message):
    """allowReconnect:false and no allowReconnect mean the same (MSG-070)."""
    if isinstance(message, dict) and message.get("allowReconnect") is False:
        message = {k: v for k, v in message.items() if k != "allowReconnect"}
    return message


def compare(direction, protocol, expected_lines, seen_lines, tolerate=False):
    failures = 0
    if len(expected_lines) != len(seen_lines):
        print(f"FAIL {protocol} {direction}: {len(expected_lines)} messages expected, {len(seen_lines)} seen")
        failures += 1
    for index, (expected, seen) in enumerate(zip(expected_lines, seen_lines)):
        if tolerate:
            expected, seen = tolerate_microsoft_limits(protocol, expected, seen)
        expected, seen = without_false_allow_reconnect(expected), without_false_allow_reconnect(seen)
        if expected != seen:
            print(f"FAIL {protocol} {direction} message {index}:\n  expected {json.dumps(expected)}\n  seen     {json.dumps(seen)}")
            failures += 1
    if failures == 0:
        print(f"pass {protocol} {direction}: {len(expected_lines)} messages agree")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubspec", required=True, help="path to the hubspec binary")
    parser.add_argument("--interop", required=True, help="path to the interop/ folder")
    args = parser.parse_args()

    if shutil.which("node") is None:
        skip_or_fail("node is not installed")
    setup = os.path.join(args.interop, "setup")
    code, _, err = run([setup, "--quiet", "js"])
    if code == SKIP:
        skip_or_fail(err.strip() or "npm is not available")
    if code != 0:
        print(f"FAIL: interop/setup js failed: {err}")
        return 1
    codec = os.path.join(args.interop, "js", "codec.mjs")

    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for protocol in ("json", "messagepack"):
            samples_bin = os.path.join(scratch, f"{protocol}.bin")
            samples_json = os.path.join(scratch, f"{protocol}.jsonl")
            code, _, err = run(["node", codec, "samples", "--protocol", protocol, "--bytes", samples_bin, "--json", samples_json])
            if code != 0:
                print(f"FAIL: codec.mjs samples --protocol {protocol}: {err}")
                return 1
            with open(samples_bin, "rb") as f:
                microsoft_bytes = f.read()
            with open(samples_json, "rb") as f:
                sample_lines_raw = f.read()
            samples = read_lines(sample_lines_raw)

            # 1. Microsoft writes, hubspec reads.
            code, out, err = run([args.hubspec, "decode", "--protocol", protocol], microsoft_bytes)
            if code != 0:
                print(f"FAIL {protocol} Microsoft->hubspec: hubspec decode exited {code}: {err}")
                failures += 1
            else:
                failures += compare("Microsoft->hubspec", protocol, samples, read_lines(out))

            # 2. hubspec writes, Microsoft reads.
            code, hubspec_bytes, err = run([args.hubspec, "encode", "--protocol", protocol], sample_lines_raw)
            if code != 0:
                print(f"FAIL {protocol} hubspec->Microsoft: hubspec encode exited {code}: {err}")
                failures += 1
                continue
            code, out, err = run(["node", codec, "parse", "--protocol", protocol], hubspec_bytes)
            if code != 0:
                print(f"FAIL {protocol} hubspec->Microsoft: Microsoft's parser rejected hubspec's bytes: {out.decode()} {err}")
                failures += 1
                continue
            failures += compare("hubspec->Microsoft", protocol, samples, read_lines(out), tolerate=True)

    print(f"{'FAILED' if failures else 'OK'}: Microsoft codec cross-check, {failures} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
