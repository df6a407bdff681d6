// Drives two nodes of one Redis backplane through every kind of cross-node send, with
// Microsoft's JS client, so that the backplane's traffic can be captured (issue 13,
// shared/spec/redis-backplane.md §14). Alice (JSON) is on node 1, Bob (MessagePack) on
// node 2, both on /conformance-auth so that user channels appear.
//
//   node backplane-drive.mjs --node1 http://HOST:PORT --node2 http://HOST:PORT
//
// One JSON line per step on stdout ({"step", "ok", "detail"}); exit 0 when every
// delivery arrived exactly once where it should and nowhere else, 1 otherwise.
import { buildConnection } from "./hub.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const timeoutMs = Number(args["timeout-ms"] ?? 10000);
const token = async (origin, user) => (await fetch(`${origin}/token?user=${user}`)).text();

async function open(origin, user, protocol) {
  const access = await token(origin, user);
  const connection = buildConnection(`${origin}/conformance-auth`, "WebSockets", protocol,
    { accessTokenFactory: () => access });
  const received = [];
  const waiters = [];
  for (const method of ["Broadcast", "Direct", "GroupMessage"]) {
    connection.on(method, (...values) => {
      received.push({ method, values });
      for (const w of waiters.splice(0)) w();
    });
  }
  connection.on("GetMessage", (value) => `answer to ${value}`);
  await connection.start();
  const id = await connection.invoke("GetCallerConnectionId");
  return { user, connection, id, received, waiters };
}

/** Waits until `peer` got a message whose last value is `marker`; returns how many it got. */
async function arrival(peer, marker) {
  const count = () => peer.received.filter((m) => m.values.at(-1) === marker).length;
  const deadline = Date.now() + timeoutMs;
  while (count() === 0 && Date.now() < deadline)
    await new Promise((resolve) => { peer.waiters.push(resolve); setTimeout(resolve, deadline - Date.now()); });
  return count();
}

const quiet = () => new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would have come by now
let failed = 0;
const report = (step, ok, detail = "") => {
  if (!ok) failed++;
  process.stdout.write(JSON.stringify({ step, ok, detail }) + "\n");
};

const alice = await open(args.node1, "alice", "json");
const bob = await open(args.node2, "bob", "messagepack");
report("connected", true, `alice ${alice.id} on node 1, bob ${bob.id} on node 2`);

/** `send` from Alice; `expect` says who must get `marker` (once each) and who must not. */
async function step(name, marker, send, expect) {
  await send();
  for (const peer of [alice, bob]) {
    const wanted = expect.includes(peer.user);
    if (wanted) await arrival(peer, marker);
    await quiet();
    const total = peer.received.filter((m) => m.values.at(-1) === marker).length;
    report(`${name}: ${peer.user}`, wanted ? total === 1 : total === 0, `${total} copies`);
  }
}

await step("all", "all-1", () => alice.connection.invoke("Broadcast", "all-1"), ["alice", "bob"]);
await step("others", "others-1", () => alice.connection.invoke("SendToOthers", "others-1"), ["bob"]);
await alice.connection.invoke("AddConnectionToGroup", bob.id, "room");
report("group add across nodes (acked)", true);
await step("group", "group-1", () => alice.connection.invoke("SendToGroup", "room", "group-1"), ["bob"]);
await step("user", "user-1", () => alice.connection.invoke("SendToUser", "bob", "user-1"), ["bob"]);
await step("connection", "conn-1", () => alice.connection.invoke("SendToConnection", bob.id, "conn-1"), ["bob"]);
const answer = await alice.connection.invoke("ClientResultFromConnection", bob.id, "GetMessage", "q-1");
report("client result across nodes", answer === "answer to q-1", JSON.stringify(answer));
await alice.connection.invoke("RemoveConnectionFromGroup", bob.id, "room");
await step("group after remove", "group-2", () => alice.connection.invoke("SendToGroup", "room", "group-2"), []);

await alice.connection.stop();
await bob.connection.stop();
process.exit(failed ? 1 : 0);
