// The contract check (interop/js/contract-check.mjs) against the ASP.NET Core peer on every
// transport × protocol: every method and endpoint of conformance-hub.md through Microsoft's JS
// client, including groups across connections, streaming both ways with cancellation, client
// results and Abort(). This proves the check (and the peer) before it judges hubspec's server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { INTEROP, PROTOCOLS, TRANSPORTS, startPeer } from "./support.mjs";

let peer;
before(async () => { peer = await startPeer(); });
after(async () => { await peer?.stop(); });

function runContractCheck(transport, protocol) {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(INTEROP, "js", "contract-check.mjs"), "--url", `${peer.origin}/conformance`,
      "--transport", transport, "--protocol", protocol], { timeout: 120000 }, (error, stdout, stderr) => {
      const lines = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
      resolve({ code: error ? error.code : 0, lines, stderr });
    });
  });
}

for (const transport of TRANSPORTS) {
  for (const protocol of PROTOCOLS) {
    const cell = `${transport} × ${protocol}`;
    if (transport === "ServerSentEvents" && protocol === "messagepack") {
      test(`contract check, ${cell}: reported unsupported with exit 127, not failed (SSE-009)`, async () => {
        const { code, lines } = await runContractCheck(transport, protocol);
        assert.equal(code, 127, `${cell}: exit code; lines ${JSON.stringify(lines)}`);
        assert.deepEqual(lines.map((l) => l.result), ["unsupported"], `${cell}: result lines`);
      });
      continue;
    }
    test(`contract check, ${cell}: every contract method and endpoint passes on the ASP.NET Core peer (conformance hub v1; GRP-001..007, MSG-051, MSG-094, CR-002..005, ERR-009)`, { timeout: 60000 }, async () => {
      const { code, lines, stderr } = await runContractCheck(transport, protocol);
      const failures = lines.filter((l) => l.result !== "pass").map((l) => `${l.check}: ${l.reason}`);
      assert.deepEqual(failures, [], `${cell}: failed checks (stderr tail: ${stderr.slice(-500)})`);
      assert.equal(code, 0, `${cell}: exit code`);
      assert.ok(lines.length >= 30, `${cell}: only ${lines.length} checks ran`);
    });
  }
}
