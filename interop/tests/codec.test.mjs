// interop/js/codec.mjs, the offline codec the protocol core is cross-checked with: Microsoft's
// writers produce the samples and Microsoft's parsers read them back as the same representation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INTEROP, PROTOCOLS } from "./support.mjs";

const codec = join(INTEROP, "js", "codec.mjs");

for (const protocol of PROTOCOLS) {
  test(`codec.mjs ${protocol}: samples cover message types 1-9 and parse back identically, 4 and 5 reported as skipped (MSG-001, MSG-004)`, () => {
    const dir = mkdtempSync(join(tmpdir(), "hubspec-codec-"));
    const [bytes, json] = [join(dir, "samples.bin"), join(dir, "samples.jsonl")];
    execFileSync(process.execPath, [codec, "samples", "--protocol", protocol, "--bytes", bytes, "--json", json]);
    const written = readFileSync(json, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const types = new Set(written.map((m) => m.type));
    for (const type of ["Invocation", "StreamItem", "Completion", "StreamInvocation", "CancelInvocation", "Ping", "Close", "Ack", "Sequence"]) {
      assert.ok(types.has(type), `${protocol}: no ${type} sample`);
    }
    const parsed = execFileSync(process.execPath, [codec, "parse", "--protocol", protocol], { input: readFileSync(bytes) })
      .toString().trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(parsed.length, written.length, `${protocol}: one parse line per sample`);
    parsed.forEach((line, i) => {
      if (["StreamInvocation", "CancelInvocation"].includes(written[i].type)) {
        assert.equal(line.skipped, true, `${protocol} sample ${i} (${written[i].type}): Microsoft's client parser should skip it, saw ${JSON.stringify(line)}`);
      } else {
        const want = { ...written[i] };
        if (protocol === "messagepack") delete want.streamIds; // the TS MessagePack parser drops them
        assert.deepEqual(line, want, `${protocol} sample ${i}`);
      }
    });
  });
}

test("codec.mjs parse: a record without its separator is rejected with Microsoft's message (FRAME-001, FRAME-004)", () => {
  let failure;
  try {
    execFileSync(process.execPath, [codec, "parse", "--protocol", "json"], { input: '{"type":6}\u001e{"type":6}' });
  } catch (e) {
    failure = e;
  }
  assert.ok(failure, "parse of an incomplete record exited 0");
  assert.equal(failure.status, 1, "exit status of a rejected parse");
  assert.deepEqual(JSON.parse(failure.stdout.toString().trim()), { error: "Message is incomplete." }, "error line");
});
