// Client agent for Microsoft's JS client (conformance-hub.md, "Client agent contract").
// Environment: HUBSPEC_URL, HUBSPEC_TRANSPORT (empty = client's choice), HUBSPEC_PROTOCOL,
// HUBSPEC_SCENARIO; when set, HUBSPEC_KEEPALIVE_MS and HUBSPEC_SERVER_TIMEOUT_MS (the harness's
// short timings, as keepAliveIntervalInMilliseconds and serverTimeoutInMilliseconds). Prints one JSON line per state change on stdout; exits 0 after Stop()
// or a clean close, 1 on a failed start or a close with an error, 127 when unsupported.
import { Subject } from "@microsoft/signalr";
import { addStreamingExtras } from "./agent-streaming.mjs";
import { buildConnection, unsupportedReason } from "./hub.mjs";

const url = process.env.HUBSPEC_URL;
const transport = process.env.HUBSPEC_TRANSPORT ?? "";
const protocol = process.env.HUBSPEC_PROTOCOL || "json";
const scenario = process.env.HUBSPEC_SCENARIO ?? "";

const emit = (event, fields = {}) =>
  process.stdout.write(JSON.stringify({ event, client: "js", scenario, ...fields }) + "\n");
const errorText = (error) => (error ? String(error.message ?? error) : undefined);

if (!url) {
  process.stderr.write("agent.mjs: HUBSPEC_URL is not set\n");
  process.exit(2);
}
const unsupported = unsupportedReason(transport, protocol);
if (unsupported) {
  emit("unsupported", { transport, protocol, reason: unsupported });
  process.exit(127);
}

const milliseconds = (name) => Number(process.env[name]) || undefined;
const connection = buildConnection(url, transport, protocol, {
  reconnect: true,
  stateful: true,
  keepAliveMs: milliseconds("HUBSPEC_KEEPALIVE_MS"),
  serverTimeoutMs: milliseconds("HUBSPEC_SERVER_TIMEOUT_MS"),
});
let stopping = false;

connection.on("Echo", (value) => {
  connection.invoke("EchoReply", value).catch((e) => process.stderr.write(`agent.mjs: EchoReply failed: ${errorText(e)}\n`));
});
connection.on("Result", (value) => value);
// Peer-test extra (not in the contract): RunSequence(count) → invoke Sequence(count), then print
// {"event":"sequence","result":…,"seq":[the Seq items seen],"connectionId":…}.
let seq = [];
connection.on("Seq", (i) => { seq.push(i); });
connection.on("RunSequence", (count) => {
  seq = [];
  connection.invoke("Sequence", count).then(
    (result) => emit("sequence", { result, seq, connectionId: connection.connectionId }),
    (error) => emit("sequence", { error: errorText(error) }));
});
addStreamingExtras(connection, {
  agent: "agent.mjs",
  upload: (items) => {
    const subject = new Subject();
    const result = connection.invoke("UploadConcat", subject);
    for (const item of items) subject.next(item);
    subject.complete();
    return result;
  },
});
connection.on("Stop", async () => {
  stopping = true;
  await connection.stop();
});

connection.onreconnecting((error) => emit("reconnecting", { error: errorText(error) }));
connection.onreconnected((connectionId) => emit("reconnected", { connectionId }));
connection.onclose((error) => {
  emit("closed", { error: errorText(error) });
  process.exit(stopping || !error ? 0 : 1);
});

try {
  await connection.start();
  emit("connected", { connectionId: connection.connectionId, transport: transport || null, protocol });
} catch (error) {
  emit("closed", { error: `start failed: ${errorText(error)}` });
  process.exit(1);
}
