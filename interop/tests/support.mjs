// Shared pieces of the interop tests: start the ASP.NET Core peer and the client agents as child
// processes and await their stdout lines, plus a loopback TCP relay a test can cut.
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const INTEROP = join(dirname(fileURLToPath(import.meta.url)), "..");
export const TRANSPORTS = ["WebSockets", "ServerSentEvents", "LongPolling"];
export const PROTOCOLS = ["json", "messagepack"];
export const EVENT_TIMEOUT_MS = 15000;
/** How long a stopped child process may take to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 10000;

const children = new Set();
process.on("exit", () => { for (const child of children) child.kill("SIGKILL"); });

/** A child process whose stdout lines can be awaited one by one. */
class LineProcess {
  constructor(name, command, args, env) {
    this.name = name;
    this.lines = [];
    this.waiters = [];
    this.stderr = "";
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(this.child);
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => { children.delete(this.child); this.wake(); resolve(code); }));
    this.exitCode = null;
    this.exited.then((code) => { this.exitCode = code; });
    createInterface({ input: this.child.stdout }).on("line", (line) => { this.lines.push(line); this.wake(); });
    this.child.stderr.on("data", (chunk) => { this.stderr = (this.stderr + chunk).slice(-4000); });
  }

  wake() { for (const waiter of this.waiters.splice(0)) waiter(); }

  /** Resolves with the first line (from index `from`) that `predicate` accepts. */
  async waitForLine(predicate, what, from = 0) {
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && predicate(line));
      if (index >= 0) return { line: this.lines[index], index };
      if (this.exitCode !== null) throw new Error(`${this.name} exited (${this.exitCode}) before ${what}; stdout: ${this.lines.join(" | ")}; stderr: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${what} within ${EVENT_TIMEOUT_MS} ms; stdout: ${this.lines.join(" | ")}; stderr: ${this.stderr}`);
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, left); });
    }
  }

  async waitForExit(what) {
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${this.name} did not exit (${what}); stdout: ${this.lines.join(" | ")}`)), EVENT_TIMEOUT_MS); });
    try { return await Promise.race([this.exited, timeout]); } finally { clearTimeout(timer); }
  }

  /** SIGTERM, then SIGKILL if it is still there after STOP_GRACE_MS: a stop never hangs a test. */
  stop() {
    if (this.exitCode !== null) return this.exited;
    this.child.kill("SIGTERM");
    const kill = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
    return this.exited.finally(() => clearTimeout(kill));
  }
}

/** Resolves like `promise`, or rejects naming `what` after EVENT_TIMEOUT_MS. */
export async function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS); });
  try { return await Promise.race([promise, timeout]); } finally { clearTimeout(timer); }
}

/** Starts interop/aspnetcore/run with short timings; resolves once it printed its listening line. */
export async function startPeer(extraArgs = []) {
  const peer = new LineProcess("aspnetcore peer", join(INTEROP, "aspnetcore", "run"),
    // --client-timeout-ms stays at ASP.NET Core's 30 s: both clients ping every 15 s by default, and a
  // shorter timeout (KA-007) would close an agent that a test keeps quiet for a while.
  ["--listen", "127.0.0.1:0", "--keepalive-ms", "1000", "--client-timeout-ms", "30000", "--disconnect-timeout-ms", "5000", "--detailed-errors", ...extraArgs], {});
  const { line } = await peer.waitForLine((l) => l.startsWith("listening on "), "listening line");
  const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  if (!match) throw new Error(`peer's first line is not 'listening on http://127.0.0.1:PORT': ${line}`);
  peer.origin = match[1];
  peer.port = Number(match[2]);
  return peer;
}

/** Starts a client agent ("js" or "dotnet") with the agent contract's environment. */
export function startAgent(kind, { url, transport, protocol, scenario }) {
  const env = { HUBSPEC_URL: url, HUBSPEC_TRANSPORT: transport, HUBSPEC_PROTOCOL: protocol, HUBSPEC_SCENARIO: scenario ?? "" };
  if (kind === "js") return new LineProcess("js agent", process.execPath, [join(INTEROP, "js", "agent.mjs")], env);
  return new LineProcess("dotnet agent", "dotnet", [dotnetClientDll()], env);
}

/** The command and arguments (before --url …) of the contract check of client "js" or "dotnet". */
export function contractCheckCommand(client) {
  if (client === "js") return [process.execPath, [join(INTEROP, "js", "contract-check.mjs")]];
  return ["dotnet", [dotnetClientDll(), "--contract-check"]];
}

let dotnetDll;
const dotnetClientDll = () =>
  (dotnetDll ??= execFileSync(join(INTEROP, "setup"), ["--print-path", "dotnet-client"], { encoding: "utf8" }).trim());

/** Awaits the agent's next JSON event line named `event` (from line index `from`). */
export async function nextEvent(agent, event, from = 0) {
  const { line, index } = await agent.waitForLine((l) => { try { return JSON.parse(l).event === event; } catch { return false; } }, `'${event}' event`, from);
  return { ...JSON.parse(line), index };
}

export const agentEvents = (agent) => agent.lines.map((l) => { try { return JSON.parse(l).event; } catch { return `non-JSON: ${l}`; } });

/**
 * A TCP relay on 127.0.0.1 in front of `targetPort`. cut() resets every relayed connection at once
 * (an ungraceful drop: no Close frame, no FIN); new connections are relayed as usual.
 * holdServerToClientAfter(n) lets n more bytes reach the client, then holds (and later drops)
 * what the server sends, so that a cut is sure to lose data in flight.
 */
export async function startRelay(targetPort) {
  const pairs = new Set();
  const relay = { connections: 0, heldBytes: 0, holdAfter: null, onHeld: null };
  const server = net.createServer((client) => {
    relay.connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (relay.holdAfter === null) return void client.write(chunk);
      const passed = chunk.subarray(0, Math.max(0, relay.holdAfter));
      relay.holdAfter -= passed.length;
      if (passed.length > 0) client.write(passed);
      if (passed.length < chunk.length) {
        relay.heldBytes += chunk.length - passed.length;
        relay.onHeld?.();
      }
    });
    const drop = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  relay.port = server.address().port;
  relay.holdServerToClientAfter = (bytes) => new Promise((resolve) => {
    relay.heldBytes = 0;
    relay.holdAfter = bytes;
    relay.onHeld = () => { relay.onHeld = null; resolve(); };
  });
  relay.cut = () => {
    relay.holdAfter = null;
    for (const { client, upstream } of [...pairs]) { client.resetAndDestroy(); upstream.resetAndDestroy(); }
    pairs.clear();
  };
  relay.close = () => { relay.cut(); return new Promise((resolve) => server.close(resolve)); };
  return relay;
}
