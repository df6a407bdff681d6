// Builds connections of Microsoft's JS client the way every hubspec JS tool needs them:
// transport and protocol by name, logs on stderr only (stdout carries JSON lines).
import { HttpTransportType, HubConnectionBuilder, LogLevel } from "@microsoft/signalr";
import { JsonHubProtocol, NullLogger } from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

// Re-exported for the tests, which live outside this package's node_modules.
export { JsonHubProtocol, MessagePackHubProtocol, NullLogger };

export const TRANSPORTS = ["WebSockets", "ServerSentEvents", "LongPolling"];
export const PROTOCOLS = ["json", "messagepack"];

// The client's own ConsoleLogger writes Information to stdout; this one never does.
export const stderrLogger = (minimum = LogLevel.Warning) => ({
  log(level, message) {
    if (level >= minimum) process.stderr.write(`[signalr ${LogLevel[level]}] ${message}\n`);
  },
});

/** Why Microsoft's JS client cannot run this transport × protocol, or null when it can. */
export function unsupportedReason(transport, protocol) {
  if (transport && !TRANSPORTS.includes(transport)) return `unknown transport '${transport}'`;
  if (!PROTOCOLS.includes(protocol)) return `unknown protocol '${protocol}'`;
  if (transport === "ServerSentEvents" && protocol === "messagepack") {
    return "Server-Sent Events carry text only; MessagePack needs the Binary transfer format";
  }
  return null;
}

/**
 * A HubConnection (not started). transport: a name or "" for the client's default choice.
 * options: headers, accessTokenFactory, reconnect (true or a delay list), stateful, logLevel.
 */
export function buildConnection(url, transport, protocol, options = {}) {
  const httpOptions = {
    headers: options.headers ?? {},
    logger: stderrLogger(options.logLevel),
  };
  if (transport) httpOptions.transport = HttpTransportType[transport];
  if (options.accessTokenFactory) httpOptions.accessTokenFactory = options.accessTokenFactory;
  let builder = new HubConnectionBuilder()
    .withUrl(url, httpOptions)
    .withHubProtocol(protocol === "messagepack" ? new MessagePackHubProtocol() : new JsonHubProtocol())
    .configureLogging(stderrLogger(options.logLevel));
  if (options.reconnect) builder = Array.isArray(options.reconnect)
    ? builder.withAutomaticReconnect(options.reconnect) : builder.withAutomaticReconnect();
  if (options.stateful) builder = builder.withStatefulReconnect();
  const connection = builder.build();
  if (options.serverTimeoutMs) connection.serverTimeoutInMilliseconds = options.serverTimeoutMs;
  if (options.keepAliveMs) connection.keepAliveIntervalInMilliseconds = options.keepAliveMs;
  return connection;
}
