// Connection ends and reconnects against the ASP.NET Core peer, for both Microsoft clients (through
// their agents) and both protocols: Abort() ends a connection for good, a lost connection is followed
// by automatic reconnect with a new connection id, and a stateful reconnect across an ungraceful TCP
// drop (the cuttable relay of support.mjs) loses and duplicates nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { agentEvents, nextEvent, startAgent, startRelay, within } from "./support.mjs";
import { usePeerWithController } from "./controller.mjs";

const fixture = usePeerWithController();

// Stateful reconnect is WebSockets-only (SR-003), so the other transports go through the automatic
// one; Server-Sent Events carry no MessagePack (SSE-009).
const automaticCells = [["ServerSentEvents", "json"], ["LongPolling", "json"], ["LongPolling", "messagepack"]];

for (const client of ["js", "dotnet"]) {
  for (const protocol of ["json", "messagepack"]) {
    test(`${client} agent, WebSockets × ${protocol}: Abort() ends the connection for good, no automatic reconnect (ERR-009, RC-009, MSG-075, SR-020)`, { timeout: 60000 }, async () => {
      const agent = startAgent(client, { url: `${fixture.peer.origin}/conformance`, transport: "WebSockets", protocol });
      try {
        const { connectionId } = await nextEvent(agent, "connected");
        assert.equal(await fixture.controller.connection.invoke("AbortConnection", connectionId), true, "AbortConnection found the agent");
        const code = await agent.waitForExit("after Abort()");
        assert.deepEqual(agentEvents(agent), ["connected", "closed"], `${client} agent, ${protocol}, after Abort(): state lines`);
        assert.equal(code, 0, `${client} agent, ${protocol}: exit code after a clean server close`);
      } finally {
        await agent.stop();
      }
    });
  }

  for (const [transport, protocol] of automaticCells) {
    test(`${client} agent, ${transport} × ${protocol}: a dropped TCP connection is followed by automatic reconnect with a new connection id (RC-005, RC-006, RC-011)`, { timeout: 60000 }, async () => {
      const relay = await startRelay(fixture.peer.port);
      const agent = startAgent(client, { url: `http://127.0.0.1:${relay.port}/conformance`, transport, protocol });
      try {
        const { connectionId: first } = await nextEvent(agent, "connected");
        relay.cut();
        const reconnecting = await nextEvent(agent, "reconnecting");
        const { connectionId: second } = await nextEvent(agent, "reconnected", reconnecting.index);
        assert.ok(second && second !== first, `${client} agent, ${transport} × ${protocol}: reconnected with connection id ${second}, first was ${first}`);
        await fixture.controller.send(second, "Echo", "after-reconnect");
        assert.deepEqual(await fixture.controller.repliesFrom(second, 1), ["after-reconnect"], `${client} agent, ${transport} × ${protocol}: EchoReply on the new connection`);
      } finally {
        await agent.stop();
        await relay.close();
      }
    });
  }

  for (const protocol of ["json", "messagepack"]) {
    test(`${client} agent, WebSockets × ${protocol}: stateful reconnect across an ungraceful TCP drop loses and duplicates nothing (SR-006, SR-011, SR-013, SR-018)`, { timeout: 60000 }, async () => {
      const cell = `${client} agent, WebSockets × ${protocol}`;
      const relay = await startRelay(fixture.peer.port);
      const agent = startAgent(client, { url: `http://127.0.0.1:${relay.port}/conformance`, transport: "WebSockets", protocol });
      try {
        const { connectionId } = await nextEvent(agent, "connected");
        const connectionsBefore = relay.connections;
        const count = 300;
        // Let a little through (RunSequence itself and the first Seq), hold the rest: the cut then
        // surely drops messages in flight, the Completion of Sequence(count) among them.
        const held = relay.holdServerToClientAfter(400);
        await fixture.controller.send(connectionId, "RunSequence", count);
        await within(held, `${cell}: server→client bytes beyond the first 400 after RunSequence(${count}) (agent stderr: ${agent.stderr})`);
        assert.deepEqual(agentEvents(agent), ["connected"], `${cell}: events before the cut (agent stderr: ${agent.stderr})`);
        relay.cut();
        const sequence = await nextEvent(agent, "sequence");
        assert.equal(sequence.error, undefined, `${cell}: Sequence(${count}) failed across the drop`);
        assert.equal(sequence.result, count, `${cell}: Sequence(${count}) result after the reconnect`);
        assert.deepEqual(sequence.seq, [...Array(count).keys()], `${cell}: Seq items, each exactly once and in order`);
        assert.equal(sequence.connectionId, connectionId, `${cell}: client-side connection id kept across the stateful reconnect`);
        assert.deepEqual(agentEvents(agent), ["connected", "sequence"], `${cell}: no reconnecting/reconnected/closed: the reconnect is invisible to the app`);
        assert.ok(relay.connections > connectionsBefore, `${cell}: the client opened a new TCP connection (${relay.connections} vs ${connectionsBefore})`);
        // The server still knows the connection by the same id, and it still works both ways.
        await fixture.controller.send(connectionId, "Echo", "after-stateful-reconnect");
        assert.deepEqual(await fixture.controller.repliesFrom(connectionId, 1), ["after-stateful-reconnect"], `${cell}: EchoReply on the same connection id`);
      } finally {
        await agent.stop();
        await relay.close();
      }
    });
  }
}
