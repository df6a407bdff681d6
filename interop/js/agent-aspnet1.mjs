// Client agent for the old JS client, @aspnet/signalr 1.1.4 with @aspnet/signalr-protocol-msgpack
// 1.1.0 (the ASP.NET Core 2.x era), under the client agent contract (conformance-hub.md) like
// agent.mjs. That client negotiates without a version (v0), has no automatic or stateful
// reconnect, no client results and no connectionId property: the agent turns on what exists and
// reports `connected` with the id that the contract's GetCallerConnectionId() returns. Exits 0 after Stop() or a clean close, 1 on a failed start
// or a close with an error, 127 when unsupported.
import { createRequire } from "node:module";
import { addStreamingExtras } from "./agent-streaming.mjs";

const require = createRequire(import.meta.url);
const signalR = require("@aspnet/signalr");
const { MessagePackHubProtocol } = require("@aspnet/signalr-protocol-msgpack");

const url = process.env.HUBSPEC_URL;
const transport = process.env.HUBSPEC_TRANSPORT ?? "";
const protocol = process.env.HUBSPEC_PROTOCOL || "json";
const scenario = process.env.HUBSPEC_SCENARIO ?? "";

const emit = (event, fields = {}) =>
  process.stdout.write(JSON.stringify({ event, client: "js-aspnet-1.1.4", scenario, ...fields }) + "\n");
const errorText = (error) => (error ? String(error.message ?? error) : undefined);

if (!url) {
  process.stderr.write("agent-aspnet1.mjs: HUBSPEC_URL is not set\n");
  process.exit(2);
}
const transports = ["WebSockets", "ServerSentEvents", "LongPolling"];
let unsupported = null;
if (transport && !transports.includes(transport)) unsupported = `unknown transport '${transport}'`;
else if (protocol !== "json" && protocol !== "messagepack") unsupported = `unknown protocol '${protocol}'`;
else if (transport === "ServerSentEvents" && protocol === "messagepack")
  unsupported = "Server-Sent Events carry text only; MessagePack needs the Binary transfer format";
if (unsupported) {
  emit("unsupported", { transport, protocol, reason: unsupported });
  process.exit(127);
}

const logger = {
  log(level, message) {
    if (level >= signalR.LogLevel.Warning) process.stderr.write(`[signalr 1.1.4 ${signalR.LogLevel[level]}] ${message}\n`);
  },
};
const options = { logger };
if (transport) options.transport = signalR.HttpTransportType[transport];
const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, options)
  .withHubProtocol(protocol === "messagepack" ? new MessagePackHubProtocol() : new signalR.JsonHubProtocol())
  .configureLogging(logger)
  .build();
// The 1.x names of the timings (milliseconds); there is no keep-alive interval to set.
const serverTimeout = Number(process.env.HUBSPEC_SERVER_TIMEOUT_MS);
if (serverTimeout > 0) connection.serverTimeoutInMilliseconds = serverTimeout;

let stopping = false;
connection.on("Echo", (value) => {
  connection.invoke("EchoReply", value).catch((e) => process.stderr.write(`agent-aspnet1.mjs: EchoReply failed: ${errorText(e)}\n`));
});
connection.on("Result", (value) => value); // 1.x ignores a handler's value: it has no client results
// 1.x has no upload streams (they came with 3.0): UploadFrom says so instead of sending anything.
addStreamingExtras(connection, { agent: "@aspnet/signalr 1.1.4", upload: () => null });
connection.on("Stop", async () => {
  stopping = true;
  await connection.stop();
});
connection.onclose((error) => {
  emit("closed", { error: errorText(error) });
  process.exit(stopping || !error ? 0 : 1);
});

try {
  await connection.start();
  // 1.x keeps no connectionId: the contract's GetCallerConnectionId() tells it (null where absent).
  const connectionId = await connection.invoke("GetCallerConnectionId").catch(() => null);
  emit("connected", { connectionId, transport: transport || null, protocol });
} catch (error) {
  emit("closed", { error: `start failed: ${errorText(error)}` });
  process.exit(1);
}
