// The control API of hubspec-server (--control) against Microsoft's JS client: what a client does
// when the network fails it the way the control API makes it fail.
//   - a dropped transport is followed by automatic reconnect with a new connection id, on WebSockets,
//     Server-Sent Events and Long Polling (RC-005, RC-006, RC-011);
//   - a Close with allowReconnect starts reconnecting, one without ends the connection (RC-009, MSG-075);
//   - with stateful reconnect, Sequence(300) across two control drops in the middle loses and
//     duplicates nothing and keeps the connection id (SR-006, SR-011, SR-013, SR-018).
//   HUBSPEC_SERVER=build/default/bin/hubspec-server node --test reference_server/tests/control.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import net from "node:net";
import { within } from "../../interop/tests/support.mjs";
import { buildConnection } from "../../interop/js/hub.mjs";

const serverPath = process.env.HUBSPEC_SERVER;
let server;
let origin;
let serverPort;
let serverLog = "";

before(async () => {
  assert.ok(serverPath, "HUBSPEC_SERVER names the hubspec-server executable");
  server = spawn(serverPath, ["--listen", "127.0.0.1:0", "--control", "--keepalive-ms", "1000", "--disconnect-timeout-ms", "5000"],
    { stdio: ["ignore", "pipe", "pipe"] });
  server.stderr.on("data", (chunk) => { serverLog = (serverLog + chunk).slice(-20000); });
  const lines = createInterface({ input: server.stdout });
  const line = await within(new Promise((resolve, reject) => {
    lines.once("line", resolve);
    server.once("exit", (code) => reject(new Error(`hubspec-server exited (${code}): ${serverLog}`)));
  }), "listening line from hubspec-server");
  const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  assert.ok(match, `first line is 'listening on http://127.0.0.1:PORT': ${line}`);
  origin = match[1];
  serverPort = Number(match[2]);
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
});

/** POST /control/NAME?QUERY; resolves with the body, fails on a status other than 200. */
async function control(name, query) {
  const response = await fetch(`${origin}/control/${name}?${new URLSearchParams(query)}`, { method: "POST" });
  const body = await response.text();
  assert.equal(response.status, 200, `POST /control/${name}: ${body}`);
  return body;
}

/** Awaits the server's view of a pending long poll of `connectionId`, so that a drop cuts it in flight. */
async function pollPending(connectionId) {
  for (;;) {
    const listed = await (await fetch(`${origin}/control/connections`)).json();
    const mine = listed.find((c) => c.connectionId === connectionId);
    assert.ok(mine, `connection ${connectionId} is listed: ${JSON.stringify(listed)}`);
    if (mine.pollPending) return;
  }
}

/** Resolves on the first call of connection.onX(handler) (onreconnecting, onreconnected, onclose). */
function once(connection, event) {
  return new Promise((resolve) => connection[event]((value) => resolve(value)));
}

/** Records the connection's reconnecting/reconnected/close events in order. */
function recordEvents(connection) {
  const events = [];
  connection.onreconnecting((error) => events.push(`reconnecting: ${error?.message ?? ""}`));
  connection.onreconnected((id) => events.push(`reconnected: ${id}`));
  connection.onclose((error) => events.push(`close: ${error?.message ?? ""}`));
  return events;
}

const reconnectDelays = [0, 100, 500, 1000, 2000];
const cells = [["WebSockets", "json"], ["WebSockets", "messagepack"], ["ServerSentEvents", "json"], ["LongPolling", "json"], ["LongPolling", "messagepack"]];

for (const [transport, protocol] of cells) {
  const cell = `${transport} × ${protocol}`;
  test(`RC-005 RC-006 RC-011 ${cell}: a control drop is followed by automatic reconnect with a new connection id`, { timeout: 60000 }, async () => {
    const connection = buildConnection(`${origin}/conformance`, transport, protocol, { reconnect: reconnectDelays });
    const events = recordEvents(connection);
    try {
      await within(connection.start(), `${cell}: start`);
      const first = connection.connectionId;
      assert.equal(await connection.invoke("GetCallerConnectionId"), first, `${cell}: server and client agree on the id`);
      const reconnecting = once(connection, "onreconnecting");
      const reconnected = once(connection, "onreconnected");
      if (transport === "LongPolling") await within(pollPending(first), `${cell}: a pending poll`);
      assert.equal(await control("drop", { connectionId: first }), `dropped ${first}\n`);
      await within(reconnecting, `${cell}: onreconnecting after the drop (server log: ${serverLog.slice(-1500)})`);
      const second = await within(reconnected, `${cell}: onreconnected`);
      assert.ok(second && second !== first, `${cell}: new connection id ${second}, the first was ${first}`);
      assert.equal(await connection.invoke("GetActiveTransportName"), transport, `${cell}: same transport after the reconnect`);
      assert.equal(await connection.invoke("Echo", "after"), "after", `${cell}: the new connection works`);
      assert.ok(!events.some((e) => e.startsWith("close")), `${cell}: no close: ${JSON.stringify(events)}`);
    } finally {
      await connection.stop();
    }
  });
}

for (const [transport, protocol] of [["WebSockets", "json"], ["WebSockets", "messagepack"], ["LongPolling", "json"]]) {
  const cell = `${transport} × ${protocol}`;
  test(`RC-009 MSG-075 ${cell}: a control Close with allowReconnect starts reconnecting, one without ends the connection`, { timeout: 60000 }, async () => {
    const connection = buildConnection(`${origin}/conformance`, transport, protocol, { reconnect: reconnectDelays });
    const events = recordEvents(connection);
    try {
      await within(connection.start(), `${cell}: start`);
      const first = connection.connectionId;
      const reconnected = once(connection, "onreconnected");
      await control("close", { connectionId: first, allowReconnect: "true", error: "maintenance" });
      const second = await within(reconnected, `${cell}: onreconnected after Close with allowReconnect`);
      assert.notEqual(second, first, `${cell}: a new connection`);
      // MessagePack's Close carries the error too; the JS client reports it on reconnecting.
      assert.match(events[0], /^reconnecting: .*maintenance/, `${cell}: events ${JSON.stringify(events)}`);

      const closed = once(connection, "onclose");
      await control("close", { connectionId: second, allowReconnect: "false", error: "gone for good" });
      const error = await within(closed, `${cell}: onclose after Close without allowReconnect`);
      assert.equal(error?.message, "Server returned an error on close: gone for good", `${cell}: the close error (MSG-075)`);
      assert.equal(connection.state, "Disconnected", `${cell}: state after the Close`);
      assert.deepEqual(events.filter((e) => e.startsWith("reconnecting")).length, 1, `${cell}: no reconnect after the second Close: ${JSON.stringify(events)}`);
    } finally {
      await connection.stop();
    }
  });
}

/**
 * A TCP relay in front of hubspec-server that can hold what the server sends on a WebSocket
 * connection after a number of bytes (held bytes never arrive): armCurrent(n) holds on the
 * latest WebSocket connection after n more bytes, armNext(n) on the next one after its first n.
 * Each resolves once bytes were held. When the server ends a connection the relay ends its client side.
 */
async function startHoldingRelay(targetPort) {
  const relay = { websockets: 0, current: null, next: null };
  const makeHold = (bytes) => { const hold = { left: bytes }; hold.held = new Promise((resolve) => { hold.resolve = resolve; }); return hold; };
  const listener = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    const state = { hold: null, websocket: false };
    client.once("data", (chunk) => {
      if (/upgrade: websocket/i.test(chunk.toString("latin1"))) {
        state.websocket = true;
        relay.websockets++;
        relay.current = state;
        if (relay.next) { state.hold = relay.next; relay.next = null; }
      }
    });
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      const hold = state.hold;
      if (!hold) return void client.write(chunk);
      const passed = chunk.subarray(0, Math.max(0, hold.left));
      hold.left -= passed.length;
      if (passed.length > 0) client.write(passed);
      if (passed.length < chunk.length) hold.resolve();
    });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  relay.port = listener.address().port;
  relay.armCurrent = (bytes) => { relay.current.hold = makeHold(bytes); return relay.current.hold.held; };
  relay.armNext = (bytes) => { relay.next = makeHold(bytes); return relay.next.held; };
  relay.close = () => new Promise((resolve) => { listener.close(resolve); listener.unref(); });
  return relay;
}

for (const protocol of ["json", "messagepack"]) {
  const cell = `WebSockets × ${protocol}`;
  test(`SR-006 SR-011 SR-013 SR-018 ${cell}: Sequence(300) across two control drops loses and duplicates nothing, same connection id`, { timeout: 60000 }, async () => {
    const relay = await startHoldingRelay(serverPort);
    const connection = buildConnection(`http://127.0.0.1:${relay.port}/conformance`, "WebSockets", protocol, { stateful: true });
    const seq = [];
    let firstItemArrived;
    const firstItem = new Promise((resolve) => { firstItemArrived = resolve; });
    connection.on("Seq", (i) => { seq.push(i); firstItemArrived(); });
    const events = recordEvents(connection);
    try {
      await within(connection.start(), `${cell}: start`);
      const id = connection.connectionId;
      const count = 300;
      // First drop: the server sent the first 400 bytes through, the rest is lost in flight.
      const firstHold = relay.armCurrent(400);
      const result = connection.invoke("Sequence", count);
      await within(firstHold, `${cell}: bytes held after Sequence(${count})`);
      // The bytes let through reach the client (in this process) after the hold begins: await them.
      await within(firstItem, `${cell}: the items let through before the first drop`);
      const seenBeforeFirstDrop = seq.length;
      // Second drop: on the resumed WebSocket, in the middle of the replay.
      const secondHold = relay.armNext(1200);
      await control("drop", { connectionId: id });
      await within(secondHold, `${cell}: bytes held on the resumed WebSocket (server log: ${serverLog.slice(-1500)})`);
      const seenBeforeSecondDrop = seq.length;
      await control("drop", { connectionId: id });
      assert.equal(await within(result, `${cell}: Sequence(${count}) completion after two drops (server log: ${serverLog.slice(-1500)})`), count);
      assert.deepEqual(seq, [...Array(count).keys()], `${cell}: Seq items, each exactly once and in order`);
      assert.ok(seenBeforeFirstDrop > 0 && seenBeforeFirstDrop < count, `${cell}: some items arrived before the first drop (${seenBeforeFirstDrop})`);
      assert.ok(seenBeforeSecondDrop < count, `${cell}: the second drop came in the middle (${seenBeforeSecondDrop} items seen)`);
      assert.equal(relay.websockets, 3, `${cell}: three WebSockets: the first and two resumes`);
      assert.equal(await connection.invoke("GetCallerConnectionId"), id, `${cell}: the server kept the connection id (SR-018)`);
      assert.deepEqual(events, [], `${cell}: the reconnects are invisible to the application`);
      assert.match(serverLog, /\[SR-013\] [^:]+: resumed: Sequence\(\d+\)/, `${cell}: the server resumed with Sequence first`);
    } finally {
      await connection.stop();
      await relay.close();
    }
  });
}
