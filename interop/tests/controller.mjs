// The tests' own connection to the peer (Microsoft's JS client over WebSockets × JSON), used to
// drive a client agent through the peer's test extras (SendMethodToConnection, ClientResultFromConnection,
// AbortConnection) and to observe its EchoReply calls.
import { buildConnection } from "../js/hub.mjs";

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
