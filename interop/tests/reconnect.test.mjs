// Connection ends and reconnects against the ASP.NET Core peer: Abort() ends a connection for
// good, a lost connection is followed by automatic reconnect with a new connection id, and a
// stateful reconnect across an ungraceful TCP drop loses and duplicates nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { agentEvents, nextEvent, startAgent, startPeer, startRelay } from "./support.mjs";
import { startController } from "./controller.mjs";
import { buildConnection } from "../js/hub.mjs";

let peer;
let controller;
before(async () => {
  peer = await startPeer();
  controller = await startController(peer.origin);
});
after(async () => {
  await controller?.stop();
  await peer?.stop();
});

for (const client of ["js", "dotnet"]) {
  test(`${client} agent: Abort() ends the connection for good, no automatic reconnect (ERR-009, RC-009, MSG-075, SR-020)`, { timeout: 60000 }, async () => {
    const agent = startAgent(client, { url: `${peer.origin}/conformance`, transport: "WebSockets", protocol: "json" });
    try {
      const { connectionId } = await nextEvent(agent, "connected");
      assert.equal(await controller.connection.invoke("AbortConnection", connectionId), true, "AbortConnection found the agent");
      const code = await agent.waitForExit("after Abort()");
      assert.deepEqual(agentEvents(agent), ["connected", "closed"], `${client} agent after Abort(): state lines`);
      assert.equal(code, 0, `${client} agent exit code after a clean server close`);
    } finally {
      await agent.stop();
    }
  });

  // Stateful reconnect is WebSockets-only (SR-003), so these transports go through the automatic one.
  for (const transport of ["ServerSentEvents", "LongPolling"]) {
    test(`${client} agent, ${transport}: a dropped TCP connection is followed by automatic reconnect with a new connection id (RC-005, RC-006, RC-011)`, { timeout: 60000 }, async () => {
      const relay = await startRelay(peer.port);
      const agent = startAgent(client, { url: `http://127.0.0.1:${relay.port}/conformance`, transport, protocol: "json" });
      try {
        const { connectionId: first } = await nextEvent(agent, "connected");
        relay.cut();
        const reconnecting = await nextEvent(agent, "reconnecting");
        const { connectionId: second } = await nextEvent(agent, "reconnected", reconnecting.index);
        assert.ok(second && second !== first, `${client} agent: reconnected with connection id ${second}, first was ${first}`);
        await controller.send(second, "Echo", "after-reconnect");
        assert.deepEqual(await controller.repliesFrom(second, 1), ["after-reconnect"], "EchoReply on the new connection");
      } finally {
        await agent.stop();
        await relay.close();
      }
    });
  }
}

for (const protocol of ["json", "messagepack"]) {
  test(`js client, WebSockets × ${protocol}: stateful reconnect across an ungraceful TCP drop loses and duplicates nothing (SR-006, SR-011, SR-013, SR-018)`, { timeout: 60000 }, async () => {
    const relay = await startRelay(peer.port);
    const connection = buildConnection(`http://127.0.0.1:${relay.port}/conformance`, "WebSockets", protocol, { stateful: true, reconnect: true });
    const seen = [];
    const lifecycle = [];
    connection.on("Seq", (i) => { seen.push(i); });
    connection.onreconnecting(() => lifecycle.push("reconnecting"));
    connection.onclose(() => lifecycle.push("closed"));
    try {
      await connection.start();
      const connectionId = connection.connectionId;
      const connectionsBefore = relay.connections;
      const count = 300;
      // Let a little through, hold the rest: the cut then surely drops messages in flight.
      const held = relay.holdServerToClientAfter(400);
      const result = connection.invoke("Sequence", count);
      await held;
      assert.ok(seen.length < count, `all ${seen.length} Seq arrived before the cut`);
      relay.cut();
      assert.equal(await result, count, "Sequence(count) result after the reconnect");
      assert.deepEqual(seen, [...Array(count).keys()], "Seq items: each exactly once, in order");
      assert.equal(connection.connectionId, connectionId, "connection id kept across the stateful reconnect");
      assert.equal(await connection.invoke("GetCallerConnectionId"), connectionId, "server-side connection id kept");
      assert.deepEqual(lifecycle, [], "no reconnecting/closed events: the reconnect is invisible to the app");
      assert.ok(relay.connections > connectionsBefore, "the client opened a new TCP connection");
    } finally {
      await connection.stop();
      await relay.close();
    }
  });
}
