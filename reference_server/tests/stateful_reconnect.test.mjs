// Stateful reconnect against hubspec-server, through Microsoft's JS client: Sequence(count) across an
// ungraceful TCP drop (the cuttable relay of interop/tests/support.mjs) loses and duplicates nothing,
// and the connection keeps its id (SR-006, SR-011, SR-013, SR-014, SR-018, SR-019).
//   HUBSPEC_SERVER=build/default/bin/hubspec-server node --test reference_server/tests/stateful_reconnect.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startRelay, within } from "../../interop/tests/support.mjs";
import { buildConnection } from "../../interop/js/hub.mjs";

const serverPath = process.env.HUBSPEC_SERVER;
let server;
let serverPort;
let serverLog = "";

before(async () => {
  assert.ok(serverPath, "HUBSPEC_SERVER names the hubspec-server executable");
  server = spawn(serverPath, ["--listen", "127.0.0.1:0", "--disconnect-timeout-ms", "5000"], { stdio: ["ignore", "pipe", "pipe"] });
  server.stderr.on("data", (chunk) => { serverLog = (serverLog + chunk).slice(-20000); });
  const lines = createInterface({ input: server.stdout });
  const line = await within(new Promise((resolve, reject) => {
    lines.once("line", resolve);
    server.once("exit", (code) => reject(new Error(`hubspec-server exited (${code}): ${serverLog}`)));
  }), "listening line from hubspec-server");
  const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
  assert.ok(match, `first line is 'listening on http://127.0.0.1:PORT': ${line}`);
  serverPort = Number(match[1]);
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
});

for (const protocol of ["json", "messagepack"]) {
  test(`SR-011 SR-013 SR-018 WebSockets × ${protocol}: Sequence(count) across a TCP cut loses and duplicates nothing, same connection id`, { timeout: 60000 }, async () => {
    const cell = `WebSockets × ${protocol}`;
    const relay = await startRelay(serverPort);
    const connection = buildConnection(`http://127.0.0.1:${relay.port}/conformance`, "WebSockets", protocol, { stateful: true });
    const seq = [];
    const closes = [];
    connection.on("Seq", (i) => { seq.push(i); });
    connection.onclose((error) => closes.push(String(error)));
    try {
      await within(connection.start(), `${cell}: start`);
      const before = await within(connection.invoke("GetCallerConnectionId"), `${cell}: GetCallerConnectionId`);
      assert.equal(before, connection.connectionId, `${cell}: server and client agree on the connection id`);
      const connectionsBefore = relay.connections;
      const count = 300;
      // Let a little through, hold the rest: the cut surely drops messages in flight, the
      // Completion of Sequence(count) among them; only the server's replay can bring them back.
      const held = relay.holdServerToClientAfter(400);
      const result = connection.invoke("Sequence", count);
      await within(held, `${cell}: server→client bytes beyond the first 400 after Sequence(${count})`);
      relay.cut();
      assert.equal(await within(result, `${cell}: Sequence(${count}) completion after the cut (server log: ${serverLog.slice(-2000)})`), count);
      assert.deepEqual(seq, [...Array(count).keys()], `${cell}: Seq items, each exactly once and in order`);
      assert.ok(relay.connections > connectionsBefore, `${cell}: the client opened a new TCP connection`);
      const after = await within(connection.invoke("GetCallerConnectionId"), `${cell}: GetCallerConnectionId after the reconnect`);
      assert.equal(after, before, `${cell}: the server kept the connection id (SR-018)`);
      assert.deepEqual(closes, [], `${cell}: the reconnect is invisible to the application`);
      assert.match(serverLog, /\[SR-013\] [^:]+: resumed: Sequence\(\d+\)/, `${cell}: the server resumed with Sequence first`);
    } finally {
      await connection.stop();
      await relay.close();
    }
  });
}
