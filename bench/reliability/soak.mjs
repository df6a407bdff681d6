// Soak (issue 16, item 6.1): CONNECTIONS WebSocket connections (JSON) held against one server for
// MINUTES with mixed traffic, spoken on the wire directly (ws + the JSON hub protocol: about 1 socket
// and a few KB per connection, where `hubspec load` spends two threads each). Every connection joins
// one of 100 groups; then, all the time:
//   - Echo calls on random connections (ECHO_RATE/s), each answer checked;
//   - Broadcast(n) (BROADCAST_RATE/s): every connection must get each exactly once;
//   - SendToGroup(g, n) on the 100 groups (GROUP_RATE/s): every member must get each exactly once;
//   - group churn (CHURN_RATE/s): a connection joins another group, sends to it, leaves it;
//   - a Ping from each connection every 15 s (the server's client timeout is 30 s).
// Prints a line every REPORT seconds (server RSS and CPU, calls, latency, deliveries, errors,
// disconnects) and a summary: RSS growth, totals, lost and duplicated deliveries, unexpected
// disconnects. Exits 1 when anything was lost, duplicated, failed or disconnected.
//
//   node bench/reliability/soak.mjs --url http://127.0.0.1:PORT --server-pid PID [--connections 10000]
//        [--minutes 10] [--echo-rate 500] [--broadcast-rate 1] [--group-rate 20] [--churn-rate 10] [--report 30]
// bench/reliability/soak starts the server and raises the descriptor limit first; use it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const require = createRequire(new URL("../../interop/js/package.json", import.meta.url));
const WebSocket = require("ws");

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = args.url;
const serverPid = Number(args["server-pid"] ?? 0);
const connections = Number(args.connections ?? 10000);
const minutes = Number(args.minutes ?? 10);
const echoRate = Number(args["echo-rate"] ?? 500);
const broadcastRate = Number(args["broadcast-rate"] ?? 1);
const groupRate = Number(args["group-rate"] ?? 20);
const churnRate = Number(args["churn-rate"] ?? 10);
const reportSeconds = Number(args.report ?? 30);
const GROUPS = 100;
const RS = "\x1e";
const hub = "/conformance";

const clk = 100; // USER_HZ on Linux
function serverStats() {
  if (!serverPid) return { rssMb: NaN, cpuS: NaN };
  try {
    const status = readFileSync(`/proc/${serverPid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
    const stat = readFileSync(`/proc/${serverPid}/stat`, "utf8").split(") ")[1].split(" ");
    return { rssMb: rss, cpuS: (Number(stat[11]) + Number(stat[12])) / clk, fds: undefined };
  } catch {
    return { rssMb: NaN, cpuS: NaN, gone: true };
  }
}

const totals = {
  echoSent: 0, echoOk: 0, echoWrong: 0, echoErrors: 0,
  broadcasts: 0, broadcastExpected: 0, broadcastReceived: 0, broadcastDuplicated: 0,
  groupSends: 0, groupExpected: 0, groupReceived: 0, groupDuplicated: 0,
  churn: 0, churnErrors: 0, callErrors: 0, serverCloses: 0, unexpectedDisconnects: 0, connectFailures: 0,
};
let window = { echo: 0, latencies: [] };
const allLatencies = [];
let stopping = false;
let churnSettled = 0; // churn chains ended either way: the drain waits for all of them

class Client {
  constructor(index) {
    this.index = index;
    this.group = `g${index % GROUPS}`;
    this.pending = new Map(); // invocationId -> { resolve, reject }
    this.nextId = 0;
    this.broadcastsSeen = new Set();
    this.groupSeen = new Set();
  }

  async open() {
    const response = await fetch(`${url}${hub}/negotiate?negotiateVersion=1`, { method: "POST" });
    const negotiate = await response.json();
    this.socket = new WebSocket(`${url.replace(/^http/, "ws")}${hub}?id=${encodeURIComponent(negotiate.connectionToken)}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => { this.socket.once("open", resolve); this.socket.once("error", reject); });
    this.socket.send(`{"protocol":"json","version":1}${RS}`);
    await new Promise((resolve, reject) => {
      this.handshake = { resolve, reject };
      this.socket.on("message", (data) => this.onData(data.toString()));
      this.socket.once("close", () => this.onClose());
    });
    this.socket.on("error", () => {});
  }

  onData(text) {
    for (const record of text.split(RS)) {
      if (!record) continue;
      if (this.handshake) {
        const h = this.handshake;
        this.handshake = null;
        if (record !== "{}") h.reject(new Error(`handshake refused: ${record}`)); else h.resolve();
        continue;
      }
      const message = JSON.parse(record);
      switch (message.type) {
        case 3: {
          const call = this.pending.get(message.invocationId);
          if (!call) break;
          this.pending.delete(message.invocationId);
          if (message.error) call.reject(new Error(message.error)); else call.resolve(message.result);
          break;
        }
        case 1:
          if (message.target === "Broadcast") {
            const n = message.arguments[0].b;
            if (this.broadcastsSeen.has(n)) totals.broadcastDuplicated++; else { this.broadcastsSeen.add(n); totals.broadcastReceived++; }
          } else if (message.target === "GroupMessage" && message.arguments[0] === this.group) {
            const n = message.arguments[1].g;
            if (this.groupSeen.has(n)) totals.groupDuplicated++; else { this.groupSeen.add(n); totals.groupReceived++; }
          }
          break;
        case 7:
          totals.serverCloses++;
          this.closeError = message.error ?? "(no error)";
          break;
        default:
          break;
      }
    }
  }

  onClose() {
    this.closed = true;
    if (this.handshake) this.handshake.reject(new Error("closed before the handshake answer"));
    if (!stopping) totals.unexpectedDisconnects++;
    for (const call of this.pending.values()) call.reject(new Error("connection closed"));
    this.pending.clear();
  }

  invoke(target, ...argumentList) {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    const invocationId = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(invocationId, { resolve, reject });
      this.socket.send(JSON.stringify({ type: 1, invocationId, target, arguments: argumentList }) + RS);
    });
  }

  ping() { if (!this.closed) this.socket.send(`{"type":6}${RS}`); }
}

function every(rate, work) { // open loop: work() rate times a second, spread evenly
  if (rate <= 0) return () => {};
  const period = 1000 / rate;
  const started = performance.now();
  let n = 0;
  let timer;
  const tick = () => {
    if (stopping) return;
    const now = performance.now();
    while (started + n * period <= now) { n++; work(); }
    timer = setTimeout(tick, Math.max(1, started + n * period - performance.now()));
  };
  tick();
  return () => clearTimeout(timer);
}

const randomClient = (clients) => { for (;;) { const c = clients[Math.floor(Math.random() * clients.length)]; if (!c.closed || clients.every((x) => x.closed)) return c; } };
const pct = (values, p) => { if (!values.length) return NaN; const s = Float64Array.from(values).sort(); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

// ---- connect ----
const idle = serverStats();
const connectStarted = performance.now();
const clients = Array.from({ length: connections }, (_, i) => new Client(i));
for (let i = 0; i < connections; i += 100) {
  const batch = clients.slice(i, i + 100);
  const results = await Promise.allSettled(batch.map((c) => c.open()));
  for (const r of results) if (r.status === "rejected") { totals.connectFailures++; if (totals.connectFailures <= 3) console.error(`connect failed: ${r.reason}`); }
}
const live = clients.filter((c) => !c.closed && c.socket?.readyState === WebSocket.OPEN);
const joins = await Promise.allSettled(live.map((c) => c.invoke("JoinGroup", c.group)));
totals.callErrors += joins.filter((r) => r.status === "rejected").length;
const connectSeconds = (performance.now() - connectStarted) / 1000;
const connected = serverStats();
console.log(`connected ${live.length}/${connections} in ${fmt(connectSeconds)} s (${totals.connectFailures} failed); server RSS ${fmt(idle.rssMb)} MB idle, ${fmt(connected.rssMb)} MB with them (${fmt(((connected.rssMb - idle.rssMb) * 1024) / Math.max(1, live.length), 2)} KB each)`);

// ---- traffic ----
live.forEach((c, i) => { c.pingTimer = setTimeout(() => { c.ping(); c.pingTimer = setInterval(() => c.ping(), 15000); }, (i * 15000) / live.length); });
const stops = [];
stops.push(every(echoRate, () => {
  const c = randomClient(live);
  const value = `e${totals.echoSent}`;
  const t0 = performance.now();
  totals.echoSent++;
  c.invoke("Echo", value).then((result) => {
    const ms = performance.now() - t0;
    window.latencies.push(ms); allLatencies.push(ms); window.echo++;
    if (result === value) totals.echoOk++; else totals.echoWrong++;
  }, () => { totals.echoErrors++; });
}));
stops.push(every(broadcastRate, () => {
  const c = randomClient(live);
  const n = totals.broadcasts++;
  totals.broadcastExpected += live.filter((x) => !x.closed).length;
  c.invoke("Broadcast", { b: n }).catch(() => { totals.callErrors++; });
}));
const groupMembers = new Map();
for (const c of live) groupMembers.set(c.group, (groupMembers.get(c.group) ?? 0) + 1);
stops.push(every(groupRate, () => {
  const c = randomClient(live);
  const n = totals.groupSends++;
  const group = `g${n % GROUPS}`;
  totals.groupExpected += live.filter((x) => x.group === group && !x.closed).length;
  c.invoke("SendToGroup", group, { g: n }).catch(() => { totals.callErrors++; });
}));
stops.push(every(churnRate, () => {
  const c = randomClient(live);
  const group = `churn${Math.floor(Math.random() * 50)}`;
  totals.churn++;
  c.invoke("JoinGroup", group)
    .then(() => c.invoke("SendToGroup", group, "churn"))
    .then(() => c.invoke("LeaveGroup", group))
    .catch(() => { totals.churnErrors++; })
    .finally(() => { churnSettled++; });
}));

const started = performance.now();
let last = { t: started, cpu: connected.cpuS };
const rssSeries = [];
console.log(`| min | server RSS MB | server CPU % | echo/s | echo p50 ms | echo p99 ms | broadcast deliveries | group deliveries | errors | disconnects |`);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
const report = () => {
  const now = performance.now();
  const s = serverStats();
  const cpuPct = ((s.cpuS - last.cpu) / ((now - last.t) / 1000)) * 100;
  rssSeries.push(s.rssMb);
  const errors = totals.echoErrors + totals.echoWrong + totals.callErrors + totals.churnErrors;
  console.log(`| ${fmt((now - started) / 60000, 2)} | ${fmt(s.rssMb)} | ${fmt(cpuPct, 0)} | ${fmt(window.echo / ((now - last.t) / 1000), 0)} | ${fmt(pct(window.latencies, 50), 2)} | ${fmt(pct(window.latencies, 99), 2)} | ${totals.broadcastReceived}/${totals.broadcastExpected} | ${totals.groupReceived}/${totals.groupExpected} | ${errors} | ${totals.unexpectedDisconnects} |`);
  last = { t: now, cpu: s.cpuS };
  window = { echo: 0, latencies: [] };
};
const reporter = setInterval(report, reportSeconds * 1000);
await new Promise((resolve) => setTimeout(resolve, minutes * 60000));
clearInterval(reporter);
for (const stop of stops) stop();
// Drain: what was sent must arrive.
const drainUntil = performance.now() + 15000;
while (performance.now() < drainUntil && (totals.broadcastReceived < totals.broadcastExpected || totals.groupReceived < totals.groupExpected
  || totals.echoOk + totals.echoWrong + totals.echoErrors < totals.echoSent || churnSettled < totals.churn)) await new Promise((r) => setTimeout(r, 100));
report();
stopping = true;
const end = serverStats();
for (const c of live) { clearTimeout(c.pingTimer); clearInterval(c.pingTimer); }
await Promise.all(live.map((c) => new Promise((resolve) => { if (c.closed) return resolve(); c.socket.once("close", resolve); c.socket.close(1000); setTimeout(resolve, 5000); })));
await new Promise((r) => setTimeout(r, 3000)); // the server's 1 s sweep returns freed memory
const after = serverStats();

const firstRss = rssSeries[0];
const summary = {
  connections: live.length, connectFailures: totals.connectFailures, minutes, connectSeconds: Number(connectSeconds.toFixed(1)),
  rssIdleMb: Number(fmt(idle.rssMb)), rssConnectedMb: Number(fmt(connected.rssMb)), rssFirstReportMb: Number(fmt(firstRss)),
  rssMaxMb: Number(fmt(rssSeries.reduce((a, b) => Math.max(a, b), 0))), rssEndMb: Number(fmt(end.rssMb)), rssAfterCloseMb: Number(fmt(after.rssMb)),
  rssGrowthMb: Number(fmt(end.rssMb - firstRss)),
  serverCpuS: Number(fmt(end.cpuS - connected.cpuS)),
  echoSent: totals.echoSent, echoOk: totals.echoOk, echoWrong: totals.echoWrong, echoErrors: totals.echoErrors,
  echoLost: totals.echoSent - totals.echoOk - totals.echoWrong - totals.echoErrors,
  echoP50Ms: Number(fmt(pct(allLatencies, 50), 2)), echoP99Ms: Number(fmt(pct(allLatencies, 99), 2)), echoMaxMs: Number(fmt(allLatencies.reduce((a, b) => Math.max(a, b), 0), 1)),
  broadcasts: totals.broadcasts, broadcastDeliveries: totals.broadcastReceived, broadcastLost: totals.broadcastExpected - totals.broadcastReceived, broadcastDuplicated: totals.broadcastDuplicated,
  groupSends: totals.groupSends, groupDeliveries: totals.groupReceived, groupLost: totals.groupExpected - totals.groupReceived, groupDuplicated: totals.groupDuplicated,
  churn: totals.churn, churnErrors: totals.churnErrors, callErrors: totals.callErrors,
  serverCloses: totals.serverCloses, unexpectedDisconnects: totals.unexpectedDisconnects, serverAlive: !after.gone,
};
summary.ok = summary.connectFailures === 0 && summary.echoWrong === 0 && summary.echoErrors === 0 && summary.echoLost === 0
  && summary.broadcastLost === 0 && summary.broadcastDuplicated === 0 && summary.groupLost === 0 && summary.groupDuplicated === 0
  && summary.churnErrors === 0 && summary.callErrors === 0 && summary.serverCloses === 0 && summary.unexpectedDisconnects === 0 && summary.serverAlive;
console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);
