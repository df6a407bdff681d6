// Cross-node fan-out through a Redis backplane: RECEIVERS WebSocket connections on node 2, one
// sender on node 1 calling Broadcast(stamp) at RATE calls per second for SECONDS; every delivery to a
// receiver crossed Redis. Speaks the wire directly (ws + the JSON hub protocol), so that the client
// costs little next to the servers. Latency is measured from the call's scheduled time, so a queue
// in the servers shows as latency and not as a lower send rate (coordinated omission).
//
//   node fanout.mjs --node1 http://HOST:PORT --node2 http://HOST:PORT [--receivers 1000] [--rate 20]
//        [--seconds 5] [--hub /conformance]
// Prints one JSON object: deliveries expected and seen, deliveries per second, latency percentiles (ms).
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const require = createRequire(new URL("../../interop/js/package.json", import.meta.url));
const WebSocket = require("ws");

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const receivers = Number(args.receivers ?? 1000);
const rate = Number(args.rate ?? 20);
const seconds = Number(args.seconds ?? 5);
const hub = args.hub ?? "/conformance";
const RS = "\x1e";

async function open(origin, onMessage) {
  const negotiate = await (await fetch(`${origin}${hub}/negotiate?negotiateVersion=1`, { method: "POST" })).json();
  const url = `${origin.replace(/^http/, "ws")}${hub}?id=${encodeURIComponent(negotiate.connectionToken)}`;
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.send(`{"protocol":"json","version":1}${RS}`);
  let handshaken = false;
  await new Promise((resolve, reject) => {
    socket.on("message", (data) => {
      for (const record of data.toString().split(RS)) {
        if (!record) continue;
        if (!handshaken) {
          handshaken = true;
          if (record !== "{}") reject(new Error(`handshake refused: ${record}`));
          resolve();
          continue;
        }
        onMessage(record);
      }
    });
    socket.once("error", reject);
  });
  return socket;
}

const latencies = [];
let delivered = 0;
const tag = `fanout-${process.pid}`;
function onDelivery(record) {
  if (!record.includes(tag)) return; // Pings and other traffic
  const message = JSON.parse(record);
  if (message.type !== 1 || message.target !== "Broadcast") return;
  delivered++;
  latencies.push(performance.now() - message.arguments[0].t);
}

const sockets = [];
for (let i = 0; i < receivers; i += 50) // connect in batches: the servers accept, not a SYN flood
  sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, receivers - i) }, () => open(args.node2, onDelivery)))));
const sender = await open(args.node1, () => {});

const calls = Math.round(rate * seconds);
const started = performance.now();
for (let n = 0; n < calls; n++) {
  const due = started + (n * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  sender.send(JSON.stringify({ type: 1, target: "Broadcast", arguments: [{ t: due, tag, n }] }) + RS);
}
const expected = calls * receivers;
const deadline = performance.now() + 30000;
while (delivered < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
const elapsed = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2)) : null);
console.log(JSON.stringify({
  receivers, rate, seconds, expected, delivered, lost: expected - delivered,
  deliveries_per_second: Math.round(delivered / elapsed),
  latency_ms: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
}));
for (const s of [...sockets, sender]) s.terminate();
process.exit(0);
