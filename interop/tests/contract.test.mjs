// The contract check against the ASP.NET Core peer on every transport × protocol, through both of
// Microsoft's clients: interop/js/contract-check.mjs (JS client) and the --contract-check mode of
// interop/dotnet-client (.NET client). Every method and endpoint of conformance-hub.md, including
// groups across connections, streaming both ways with cancellation, client results and Abort().
// This proves the checks (and the peer) before they judge hubspec's server; both reports must name
// the same checks in the same order so that they line up.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { PROTOCOLS, TRANSPORTS, contractCheckCommand, startPeer } from "./support.mjs";

let peer;
before(async () => { peer = await startPeer(); });
after(async () => { await peer?.stop(); });

function runContractCheck(client, transport, protocol) {
  const [command, args] = contractCheckCommand(client);
  return new Promise((resolve) => {
    execFile(command, [...args, "--url", `${peer.origin}/conformance`, "--transport", transport, "--protocol", protocol],
      { timeout: 120000 }, (error, stdout, stderr) => {
        const lines = stdout.split("\n").filter(Boolean).map((line) => {
          try { return JSON.parse(line); } catch { return { check: "non-JSON line", result: "fail", reason: line }; }
        });
        resolve({ code: error ? error.code : 0, lines, stderr });
      });
  });
}

// The JS report of each cell, so that the .NET one can be lined up with it.
const jsChecks = new Map();

for (const transport of TRANSPORTS) {
  for (const protocol of PROTOCOLS) {
    const cell = `${transport} × ${protocol}`;
    for (const client of ["js", "dotnet"]) {
      if (transport === "ServerSentEvents" && protocol === "messagepack") {
        test(`${client} contract check, ${cell}: reported unsupported with exit 127, not failed (SSE-009)`, async () => {
          const { code, lines } = await runContractCheck(client, transport, protocol);
          assert.equal(code, 127, `${client} ${cell}: exit code; lines ${JSON.stringify(lines)}`);
          assert.deepEqual(lines.map((l) => l.result), ["unsupported"], `${client} ${cell}: result lines`);
        });
        continue;
      }
      test(`${client} contract check, ${cell}: every contract method and endpoint passes on the ASP.NET Core peer (conformance hub v1; GRP-001..007, MSG-051, MSG-094, CR-002..005, ERR-009)`, { timeout: 60000 }, async () => {
        const { code, lines, stderr } = await runContractCheck(client, transport, protocol);
        const failures = lines.filter((l) => l.result !== "pass").map((l) => `${l.check}: ${l.reason}`);
        assert.deepEqual(failures, [], `${client} ${cell}: failed checks (stderr tail: ${stderr.slice(-500)})`);
        assert.equal(code, 0, `${client} ${cell}: exit code`);
        assert.ok(lines.length >= 30, `${client} ${cell}: only ${lines.length} checks ran`);
        assert.ok(lines.every((l) => l.client === client && l.protocol === protocol && l.transport === transport),
          `${client} ${cell}: lines not labelled with client, transport and protocol: ${JSON.stringify(lines[0])}`);
        const names = lines.map((l) => l.check);
        if (client === "js") jsChecks.set(cell, names);
        else if (jsChecks.has(cell)) assert.deepEqual(names, jsChecks.get(cell), `${cell}: .NET check names/order vs the JS report`);
      });
    }
  }
}
