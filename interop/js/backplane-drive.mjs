// Drives two nodes of one Redis backplane through every kind of cross-node send, with
// Microsoft's JS client: to capture the backplane's traffic (issue 13,
// shared/spec/redis-backplane.md §14) and to check a cluster, mixed or not. Alice is on
// node 1, Bob on node 2, both on /conformance-auth so that user channels appear.
//
//   node backplane-drive.mjs --node1 http://HOST:PORT --node2 http://HOST:PORT
//        [--transport WebSockets|ServerSentEvents|LongPolling] [--alice-protocol json|messagepack]
//        [--bob-protocol json|messagepack] [--between 'COMMAND'] [--dotnet]
//
// Bob speaks the protocol Alice does not unless told (default: Alice JSON, Bob MessagePack). With
// --between, COMMAND runs (a shell command: restart Redis, say) after the first round of
// sends, and a second round then checks that every later message still arrives exactly
// once, group membership included. With --dotnet, Microsoft's .NET client (interop/dotnet-client,
// the agent) joins node 1 too, and Bob's node reaches it across Redis: a client result it answers, and
// an Echo it answers with EchoReply, which comes back to Bob. One JSON line per step on stdout ({"step", "ok",
// "detail"}); exit 0 when every delivery arrived exactly once where it should and nowhere
// else, 1 otherwise.
import { execSync } from "node:child_process";
import { buildConnection } from "./hub.mjs";
import { nextEvent, startAgent } from "../tests/support.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const timeoutMs = Number(args["timeout-ms"] ?? 10000);
const transport = args.transport ?? "WebSockets";
const aliceProtocol = args["alice-protocol"] ?? "json";
const bobProtocol = args["bob-protocol"] ?? (aliceProtocol === "json" ? "messagepack" : "json");
const token = async (origin, user) => (await fetch(`${origin}/token?user=${user}`)).text();

async function open(origin, user, protocol) {
  const access = await token(origin, user);
  const connection = buildConnection(`${origin}/conformance-auth`, transport, protocol,
    { accessTokenFactory: () => access });
  const received = [];
  const waiters = [];
  for (const method of ["Broadcast", "Direct", "GroupMessage", "EchoReply"]) {
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

const alice = await open(args.node1, "alice", aliceProtocol);
const bob = await open(args.node2, "bob", bobProtocol);
report("connected", true,
  `alice ${alice.id} (${aliceProtocol}) on node 1, bob ${bob.id} (${bobProtocol}) on node 2, over ${transport}`);

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

/** Every kind of send from Alice's node, markers suffixed by `round`; Bob is in "room" already. */
async function round(n) {
  await step(`all #${n}`, `all-${n}`, () => alice.connection.invoke("Broadcast", `all-${n}`), ["alice", "bob"]);
  await step(`others #${n}`, `others-${n}`, () => alice.connection.invoke("SendToOthers", `others-${n}`), ["bob"]);
  await step(`group #${n}`, `group-${n}`, () => alice.connection.invoke("SendToGroup", "room", `group-${n}`), ["bob"]);
  await step(`user #${n}`, `user-${n}`, () => alice.connection.invoke("SendToUser", "bob", `user-${n}`), ["bob"]);
  await step(`connection #${n}`, `conn-${n}`,
    () => alice.connection.invoke("SendToConnection", bob.id, `conn-${n}`), ["bob"]);
  // And back: Bob's node sends to Alice's.
  await step(`group from node 2 #${n}`, `back-${n}`,
    () => bob.connection.invoke("SendToOthersInGroup", "room", `back-${n}`), []);
  await step(`connection from node 2 #${n}`, `to-alice-${n}`,
    () => bob.connection.invoke("SendToConnection", alice.id, `to-alice-${n}`), ["alice"]);
  const answer = await alice.connection.invoke("ClientResultFromConnection", bob.id, "GetMessage", `q-${n}`);
  report(`client result across nodes #${n}`, answer === `answer to q-${n}`, JSON.stringify(answer));
}

await alice.connection.invoke("AddConnectionToGroup", bob.id, "room");
report("group add across nodes (acked)", true);
await round(1);
if (args.between) {
  try {
    execSync(args.between, { stdio: ["ignore", "inherit", "inherit"], timeout: 120000 });
    report("between rounds", true, args.between);
  } catch (e) {
    report("between rounds", false, `${args.between}: ${e.message}`);
  }
  await round(2);
}
if ("dotnet" in args) { // a flag: its "value" is whatever follows it
  // Microsoft's .NET client on node 1, reached from Bob's node 2 across Redis.
  const agent = startAgent("dotnet", { url: `${args.node1}/conformance`, transport: "", protocol: aliceProtocol });
  try {
    const connected = await nextEvent(agent, "connected");
    const dotnetId = connected.connectionId;
    const answer = await bob.connection.invoke("ClientResultFromConnection", dotnetId, "Result", "dotnet-q");
    report("client result from the .NET client across nodes", answer === "dotnet-q", JSON.stringify(answer));
    await bob.connection.invoke("SendMethodToConnection", dotnetId, "Echo", ["dotnet-echo"]);
    const count = await arrival(bob, "dotnet-echo");
    const reply = bob.received.find((m) => m.method === "EchoReply" && m.values.at(-1) === "dotnet-echo");
    report("the .NET client's EchoReply comes back across nodes", count === 1 && reply?.values[0] === dotnetId,
      `${count} copies${reply ? ` from ${reply.values[0]}` : ""}`);
    await bob.connection.invoke("SendMethodToConnection", dotnetId, "Stop", []);
    await nextEvent(agent, "closed");
  } catch (e) {
    report("the .NET client across nodes", false, String(e?.message ?? e));
  } finally {
    agent.stop();
  }
}
await alice.connection.invoke("RemoveConnectionFromGroup", bob.id, "room");
await step("group after remove", "group-gone", () => alice.connection.invoke("SendToGroup", "room", "group-gone"), []);

await alice.connection.stop();
await bob.connection.stop();
process.exit(failed ? 1 : 0);
