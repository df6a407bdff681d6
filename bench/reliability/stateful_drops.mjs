// Stateful reconnect through forced transport drops (issue 16, item 6.2): Microsoft's JS client
// (withStatefulReconnect, WebSockets) talks to the server through a loopback TCP relay; each round
// calls Sequence(per-drop) plus a few Echo calls, lets the relay pass a random number of the server's
// bytes and hold the rest, then resets both TCP connections (no Close frame, no FIN) while those
// messages are in flight. The client reconnects by itself and both sides replay what was not acked.
// Counts, over all drops, the Seq items and Echo answers lost, duplicated and out of order (all must
// be 0), whether the connection id stayed, and how long each recovery took. The same fault, made by
// the same relay, for hubspec-server and the ASP.NET Core peer.
//
//   node bench/reliability/stateful_drops.mjs [--servers hubspec,aspnetcore] [--drops 100] [--messages 10000]
//        [--protocol json|messagepack] [--echoes 5]
// HUBSPEC_SERVER: hubspec-server (default build/default/bin/hubspec-server); ASPNETCORE_PEER: the
// command that starts the ASP.NET Core peer (default interop/aspnetcore/run, which builds it first).
// SERVER_LOG=PATH keeps each server's whole stderr in PATH.KIND. Prints a JSON line per server, then a markdown table; exits 1 when anything was lost or duplicated.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createWriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { startRelay } from "../../interop/tests/support.mjs";
import { buildConnection } from "../../interop/js/hub.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const servers = (args.servers ?? "hubspec,aspnetcore").split(",");
const drops = Number(args.drops ?? 100);
const messages = Number(args.messages ?? 10000);
const perDrop = Math.max(1, Math.round(messages / drops));
const echoes = Number(args.echoes ?? 5);
const protocol = args.protocol ?? "json";
const ROUND_TIMEOUT_MS = 30000;

function startServer(kind) {
  const [command, ...base] = kind === "hubspec"
    ? [process.env.HUBSPEC_SERVER ?? join(root, "build/default/bin/hubspec-server")]
    : (process.env.ASPNETCORE_PEER ?? join(root, "interop/aspnetcore/run")).split(" ");
  const child = spawn(command, [...base, "--listen", "127.0.0.1:0", "--disconnect-timeout-ms", "15000"],
    { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = process.env.SERVER_LOG ? createWriteStream(`${process.env.SERVER_LOG}.${kind}`) : null;
  child.stderr.on("data", (chunk) => { log = (log + chunk).slice(-20000); keep?.write(chunk); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind}: no listening line in 300 s`)), 300000);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const match = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
      if (!match) return reject(new Error(`${kind}: first line is not 'listening on ...': ${line}`));
      resolve({ child, port: Number(match[1]), log: () => log });
    });
    child.once("exit", (code) => reject(new Error(`${kind} exited (${code}): ${log}`)));
  });
}

const within = (promise, ms, what) => {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
};

const percentile = (values, p) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function measure(kind) {
  const server = await startServer(kind);
  const relay = await startRelay(server.port);
  const connection = buildConnection(`http://127.0.0.1:${relay.port}/conformance`, "WebSockets", protocol, { stateful: true });
  let seq = [];
  const closes = [];
  connection.on("Seq", (i) => { seq.push(i); });
  connection.onclose((error) => closes.push(String(error)));
  const figures = { server: kind, protocol, drops: 0, seqExpected: 0, seqReceived: 0, seqLost: 0, seqDuplicated: 0, seqReordered: 0,
    echoExpected: 0, echoLost: 0, echoWrong: 0, heldBytes: 0, cutsWithNothingHeld: 0, sameConnectionId: true, closes: 0, errors: [] };
  const recovery = [];
  try {
    await within(connection.start(), 15000, "start");
    const id = await connection.invoke("GetCallerConnectionId");
    for (let round = 0; round < drops; round++) {
      seq = [];
      const connectionsBefore = relay.connections;
      const held = relay.holdServerToClientAfter(Math.floor(Math.random() * 1500));
      const sequence = connection.invoke("Sequence", perDrop);
      const echoCalls = Array.from({ length: echoes }, (_, i) => connection.invoke("Echo", `r${round}e${i}`));
      const heldSomething = await Promise.race([held.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
      if (!heldSomething) figures.cutsWithNothingHeld++;
      figures.heldBytes += relay.heldBytes;
      const cutAt = performance.now();
      relay.cut();
      figures.drops++;
      try {
        const count = await within(sequence, ROUND_TIMEOUT_MS, `Sequence(${perDrop}) completion after drop ${round + 1}`);
        if (count !== perDrop) figures.errors.push(`round ${round}: Sequence returned ${count}`);
        const answers = await within(Promise.all(echoCalls), ROUND_TIMEOUT_MS, `Echo answers after drop ${round + 1}`);
        answers.forEach((answer, i) => { if (answer !== `r${round}e${i}`) figures.echoWrong++; });
      } catch (e) {
        figures.errors.push(String(e.message ?? e));
        figures.echoLost += echoes; // unanswered
      }
      recovery.push(performance.now() - cutAt);
      figures.echoExpected += echoes;
      // Seq items: each of 0..perDrop-1 exactly once, in order.
      figures.seqExpected += perDrop;
      figures.seqReceived += seq.length;
      const seen = new Map();
      for (const i of seq) seen.set(i, (seen.get(i) ?? 0) + 1);
      for (let i = 0; i < perDrop; i++) if (!seen.has(i)) figures.seqLost++;
      for (const count of seen.values()) if (count > 1) figures.seqDuplicated += count - 1;
      for (let i = 1; i < seq.length; i++) if (seq[i] < seq[i - 1]) figures.seqReordered++;
      if (relay.connections === connectionsBefore) figures.errors.push(`round ${round}: no new TCP connection after the cut`);
      if (figures.errors.length > 5 || closes.length) break;
    }
    const after = await within(connection.invoke("GetCallerConnectionId"), 15000, "GetCallerConnectionId at the end");
    figures.sameConnectionId = after === id;
  } catch (e) {
    figures.errors.push(String(e.message ?? e));
  } finally {
    figures.closes = closes.length;
    for (const close of closes) figures.errors.push(`onclose: ${close}`);
    if (figures.errors.length) figures.serverLogTail = server.log().slice(-1500);
    await connection.stop().catch(() => {});
    await relay.close();
    server.child.kill("SIGTERM");
  }
  figures.tcpConnections = relay.connections;
  figures.recoveryP50Ms = Number(percentile(recovery, 50).toFixed(1));
  figures.recoveryP99Ms = Number(percentile(recovery, 99).toFixed(1));
  figures.recoveryMaxMs = Number(Math.max(...recovery).toFixed(1));
  figures.ok = figures.errors.length === 0 && figures.seqLost === 0 && figures.seqDuplicated === 0 && figures.seqReordered === 0
    && figures.echoLost === 0 && figures.echoWrong === 0 && figures.sameConnectionId && figures.closes === 0 && figures.drops === drops;
  return figures;
}

const results = [];
for (const kind of servers) {
  const figures = await measure(kind);
  console.log(JSON.stringify(figures));
  results.push(figures);
}
console.log();
console.log(`| server | protocol | drops | Seq expected | Seq received | lost | duplicated | reordered | Echo calls | Echo lost | KB held at the cuts | same id | recovery p50 / p99 / max ms | ok |`);
console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |`);
for (const r of results)
  console.log(`| ${r.server} | ${r.protocol} | ${r.drops} | ${r.seqExpected} | ${r.seqReceived} | ${r.seqLost} | ${r.seqDuplicated} | ${r.seqReordered} | ${r.echoExpected} | ${r.echoLost} | ${(r.heldBytes / 1024).toFixed(1)} | ${r.sameConnectionId} | ${r.recoveryP50Ms} / ${r.recoveryP99Ms} / ${r.recoveryMaxMs} | ${r.ok ? "ok" : "FAIL"} |`);
for (const r of results) for (const e of r.errors.slice(0, 5)) console.log(`${r.server}: ${e}`);
for (const r of results) if (r.serverLogTail) console.log(`${r.server}'s log, last lines:\n${r.serverLogTail}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
