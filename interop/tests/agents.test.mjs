// Both Microsoft clients, through their agents, against the ASP.NET Core peer on every
// transport × protocol: the client agent contract of conformance-hub.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PROTOCOLS, TRANSPORTS, agentEvents, nextEvent, startAgent } from "./support.mjs";
import { usePeerWithController } from "./controller.mjs";

const fixture = usePeerWithController();

for (const client of ["js", "dotnet"]) {
  for (const transport of TRANSPORTS) {
    for (const protocol of PROTOCOLS) {
      const cell = `${client} agent, ${transport} × ${protocol}`;
      if (transport === "ServerSentEvents" && protocol === "messagepack") {
        test(`${cell}: reported unsupported with exit 127, not failed (SSE-009, NEG-030)`, async () => {
          const agent = startAgent(client, { url: `${fixture.peer.origin}/conformance`, transport, protocol, scenario: cell });
          const code = await agent.waitForExit("unsupported transport × protocol");
          assert.equal(code, 127, `${cell}: exit code ${code}, events ${agentEvents(agent)}`);
          assert.deepEqual(agentEvents(agent), ["unsupported"], `${cell}: stdout events`);
        });
        continue;
      }
      test(`${cell}: connects, answers Echo with EchoReply and Result with its value, exits 0 on Stop (agent contract, CR-002, RC-001)`, async () => {
        const agent = startAgent(client, { url: `${fixture.peer.origin}/conformance`, transport, protocol, scenario: cell });
        try {
          const { connectionId } = await nextEvent(agent, "connected");
          assert.ok(connectionId, `${cell}: connected event without connectionId`);

          await fixture.controller.send(connectionId, "Echo", { text: "ping ü😀", n: 7, list: [1, null, true] });
          const [reply] = await fixture.controller.repliesFrom(connectionId, 1);
          assert.deepEqual(reply, { text: "ping ü😀", n: 7, list: [1, null, true] }, `${cell}: EchoReply value`);

          const result = await fixture.controller.connection.invoke("ClientResultFromConnection", connectionId, "Result", { answer: 42 });
          assert.deepEqual(result, { answer: 42 }, `${cell}: client result of Result(…)`);

          await fixture.controller.send(connectionId, "Stop");
          const code = await agent.waitForExit("Stop()");
          assert.equal(code, 0, `${cell}: exit code after Stop(); stdout ${agent.lines.join(" | ")}`);
          assert.deepEqual(agentEvents(agent), ["connected", "closed"], `${cell}: state lines`);
        } finally {
          await agent.stop();
        }
      });
    }
  }
}
