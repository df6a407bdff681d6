// The tests' own connection to the peer (Microsoft's JS client over WebSockets × JSON), used to
// drive a client agent through the peer's test extras (SendMethodToConnection, ClientResultFromConnection,
// AbortConnection) and to observe its EchoReply calls.
import { before, after } from "node:test";
import { buildConnection } from "../js/hub.mjs";
import { startPeer } from "./support.mjs";

/// The fixture most files share: one ASP.NET Core peer and a controller for the whole file.
/// Fields are filled in by the before() hook it registers.
export function usePeerWithController() {
  const fixture = { peer: undefined, controller: undefined };
  before(async () => {
    fixture.peer = await startPeer();
    fixture.controller = await startController(fixture.peer.origin);
  });
  after(async () => {
    await fixture.controller?.stop();
    await fixture.peer?.stop();
  });
  return fixture;
}

export async function startController(origin) {
  const connection = buildConnection(`${origin}/conformance`, "WebSockets", "json");
  const replies = [];
  const waiters = [];
  connection.on("EchoReply", (connectionId, value) => {
    replies.push({ connectionId, value });
    for (const waiter of waiters.splice(0)) waiter();
  });
  await connection.start();
  return {
    connection,
    replies,
    /** Resolves once `count` EchoReply calls came from `connectionId`. */
    async repliesFrom(connectionId, count, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mine = replies.filter((r) => r.connectionId === connectionId);
        if (mine.length >= count) return mine.map((r) => r.value);
        if (Date.now() > deadline) throw new Error(`EchoReply: ${mine.length} of ${count} from ${connectionId} within ${timeoutMs} ms: ${JSON.stringify(mine.map((r) => r.value))}`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, deadline - Date.now()); });
      }
    },
    send: (connectionId, method, ...args) => connection.invoke("SendMethodToConnection", connectionId, method, args),
    stop: () => connection.stop(),
  };
}
