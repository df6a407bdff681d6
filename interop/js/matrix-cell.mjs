// One cell of the interop matrix (scripts/matrix): a client agent against a server, one transport ×
// protocol. A controller connection (Microsoft's JS client, WebSockets × JSON) drives the agent
// through the server hub's peer-test extras: Echo → the agent's EchoReply, a client result
// (ClientResultFromConnection, where both sides have them), Stop → the agent closes and exits 0.
//
//   node matrix-cell.mjs --hub URL --agent COMMAND --transport T --protocol P [--client-results yes|no]
//                        [--timeout-ms N]
//
// Prints one JSON object: {outcome: pass|fail|unsupported, checks: [{name, result, detail, ms}],
// agent_stdout, agent_stderr}; exit 0 for pass and unsupported, 1 for fail, 2 on bad arguments.
import { spawn } from "node:child_process";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { buildConnection } from "./hub.mjs";

const { values: args } = parseArgs({
  options: {
    hub: { type: "string" },
    agent: { type: "string" },
    transport: { type: "string" },
    protocol: { type: "string" },
    "client-results": { type: "string", default: "yes" },
    "timeout-ms": { type: "string", default: "15000" },
  },
});
if (!args.hub || !args.agent || !args.transport || !args.protocol) {
  process.stderr.write("usage: matrix-cell.mjs --hub URL --agent COMMAND --transport T --protocol P [--client-results yes|no]\n");
  process.exit(2);
}
const timeoutMs = Number(args["timeout-ms"]);
const checks = [];
const stdout = [];
let stderr = "";
let exitCode = null;
const exitWaiters = [];
const lineWaiters = [];

function finish(outcome) {
  process.stdout.write(JSON.stringify({ outcome, checks, agent_stdout: stdout, agent_stderr: stderr.slice(-4000) }) + "\n");
  process.exit(outcome === "fail" ? 1 : 0);
}

function within(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs); }),
  ]).finally(() => clearTimeout(timer));
}

async function check(name, body) {
  const started = Date.now();
  try {
    const detail = await body();
    checks.push({ name, result: "pass", detail: detail ?? "", ms: Date.now() - started });
    return true;
  } catch (error) {
    checks.push({ name, result: "fail", detail: String(error?.message ?? error), ms: Date.now() - started });
    return false;
  }
}

const nextEvent = (name) => new Promise((resolve, reject) => {
  const look = () => {
    for (const line of stdout) {
      try {
        const event = JSON.parse(line);
        if (event.event === name) return resolve(event);
      } catch { /* not JSON: reported with the stdout */ }
    }
    if (exitCode !== null) return reject(new Error(`the agent exited (${exitCode}) before \`${name}\``));
    lineWaiters.push(look);
  };
  look();
});
const exited = () => new Promise((resolve) => (exitCode !== null ? resolve(exitCode) : exitWaiters.push(resolve)));

const controller = buildConnection(args.hub, "WebSockets", "json");
const replies = [];
const replyWaiters = [];
controller.on("EchoReply", (connectionId, value) => {
  replies.push({ connectionId, value });
  for (const wake of replyWaiters.splice(0)) wake();
});
try {
  await within(controller.start(), "the controller's connection");
} catch (error) {
  checks.push({ name: "controller", result: "fail", detail: `cannot drive the server: ${error.message}`, ms: 0 });
  finish("fail");
}

const agent = spawn("/bin/sh", ["-c", args.agent], {
  env: { ...process.env, HUBSPEC_URL: args.hub, HUBSPEC_TRANSPORT: args.transport, HUBSPEC_PROTOCOL: args.protocol,
         HUBSPEC_SCENARIO: `matrix ${args.transport}/${args.protocol}` },
  stdio: ["ignore", "pipe", "pipe"],
  detached: true, // its own process group, so that a stuck agent is killed whole
});
let pending = "";
agent.stdout.on("data", (chunk) => {
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop();
  stdout.push(...lines.filter((l) => l.trim()));
  for (const wake of lineWaiters.splice(0)) wake();
});
agent.stderr.on("data", (chunk) => { stderr += chunk; });
agent.on("exit", (code, signal) => {
  exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : 15);
  for (const wake of exitWaiters.splice(0)) wake(exitCode);
  for (const wake of lineWaiters.splice(0)) wake();
});
const killAgent = () => { try { process.kill(-agent.pid, "SIGKILL"); } catch { /* gone */ } };

let connectionId;
let outcome = "pass";
try {
  const connectedOk = await check("connects", async () => {
    const event = await within(Promise.race([nextEvent("connected"), nextEvent("unsupported").then(() => "unsupported")]),
      "`connected` from the agent");
    if (event === "unsupported") return "unsupported";
    if (!event.connectionId) throw new Error(`\`connected\` without a connectionId: ${JSON.stringify(event)}`);
    connectionId = event.connectionId;
    return `connection ${connectionId}`;
  });
  if (connectedOk && checks.at(-1).detail === "unsupported") {
    checks.pop();
    await within(exited(), "the agent's exit");
    if (exitCode !== 127) throw new Error(`reported unsupported but exited ${exitCode}`);
    outcome = "unsupported";
  } else if (!connectedOk) {
    outcome = "fail";
  } else {
    const value = { text: "matrix ü😀", n: 7, list: [1, null, true] };
    if (!await check("echo", async () => {
      await controller.invoke("SendMethodToConnection", connectionId, "Echo", [value]);
      await within(new Promise((resolve) => {
        const look = () => (replies.some((r) => r.connectionId === connectionId) ? resolve() : replyWaiters.push(look));
        look();
      }), "EchoReply from the agent");
      const reply = replies.find((r) => r.connectionId === connectionId).value;
      if (!isDeepStrictEqual(reply, value)) throw new Error(`EchoReply carried ${JSON.stringify(reply)}, not ${JSON.stringify(value)}`);
      return "Echo → EchoReply with the same value";
    })) outcome = "fail";
    if (args["client-results"] === "yes") {
      if (!await check("client-result", async () => {
        const answer = await within(controller.invoke("ClientResultFromConnection", connectionId, "Result", { answer: 42 }),
          "the client result");
        if (!isDeepStrictEqual(answer, { answer: 42 })) throw new Error(`the client answered ${JSON.stringify(answer)}`);
        return "Result({answer: 42}) → {answer: 42}";
      })) outcome = "fail";
    }
    if (!await check("stop", async () => {
      await controller.invoke("SendMethodToConnection", connectionId, "Stop", []);
      const code = await within(exited(), "the agent's exit after Stop()");
      if (code !== 0) throw new Error(`exit ${code} after Stop()`);
      return "Stop() → closed, exit 0";
    })) outcome = "fail";
  }
} catch (error) {
  checks.push({ name: "agent", result: "fail", detail: String(error?.message ?? error), ms: 0 });
  outcome = "fail";
} finally {
  killAgent();
  await controller.stop().catch(() => {});
}
finish(outcome);
