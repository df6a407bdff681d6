// Microsoft's own hub protocol classes as an offline codec, for cross-checking
// hubspec's protocol core byte for byte (no network, no connection).
//
//   node codec.mjs samples --protocol json|messagepack --bytes OUT.bin --json OUT.jsonl
//       OUT.bin   : Microsoft's writeMessage() output for a fixed set of samples, concatenated
//       OUT.jsonl : one line per sample, in hubspec's decode representation
//   node codec.mjs parse --protocol json|messagepack < IN.bin
//       one line per record of IN.bin: Microsoft's parseMessages() result in hubspec's representation,
//       {"skipped":...} when Microsoft's parser ignores the record, {"error":...} when it rejects it
//       (exit 1 if any record was rejected)
//
// hubspec's decode representation: {"type":"Invocation","headers":{..},"invocationId":"1","target":"T",
// "arguments":[..],"streamIds":[..]}, fields absent when absent, headers only when non-empty;
// binary -> {"$binary":"<base64>"}, MessagePack extension -> {"$ext":{"type":N,"data":"<base64>"}}.
//
// Known limits of Microsoft's TS protocol classes (10.0.11), kept visible rather than papered over:
// - both parsers skip StreamInvocation (4) and CancelInvocation (5): a client never receives them;
// - the MessagePack parser drops an Invocation's streamIds (always []);
// - the MessagePack writer writes every Close as [7, nil]: error and allowReconnect are not written;
// - JSON cannot carry binary, so binary samples exist for MessagePack only.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { JsonHubProtocol, MessageType, NullLogger } from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

// Use the very @msgpack/msgpack copy that Microsoft's MessagePack protocol loads.
const requireFromMsgpackProtocol = createRequire(createRequire(import.meta.url).resolve("@microsoft/signalr-protocol-msgpack"));
const { ExtensionCodec, ExtData, encodeTimestampExtension, decode: decodeMsgpack } = requireFromMsgpackProtocol("@msgpack/msgpack");
const { TextMessageFormat } = createRequire(import.meta.url)("@microsoft/signalr/dist/cjs/TextMessageFormat.js");
const { BinaryMessageFormat } = requireFromMsgpackProtocol("./BinaryMessageFormat.js");

const TYPE_NAMES = {
  [MessageType.Invocation]: "Invocation",
  [MessageType.StreamItem]: "StreamItem",
  [MessageType.Completion]: "Completion",
  [MessageType.StreamInvocation]: "StreamInvocation",
  [MessageType.CancelInvocation]: "CancelInvocation",
  [MessageType.Ping]: "Ping",
  [MessageType.Close]: "Close",
  [MessageType.Ack]: "Ack",
  [MessageType.Sequence]: "Sequence",
};

// Timestamps (extension -1) stay raw ext data on decode, so the representation is exact
// (a JS Date would keep milliseconds only); Dates still encode as timestamps.
function rawTimestampCodec() {
  const codec = new ExtensionCodec();
  codec.register({
    type: -1,
    encode: (value) => (value instanceof Date ? encodeTimestampExtension(value) : null),
    decode: (data, type) => new ExtData(type, data),
  });
  return codec;
}

function makeProtocol(name) {
  if (name === "json") return new JsonHubProtocol();
  if (name === "messagepack") return new MessagePackHubProtocol({ extensionCodec: rawTimestampCodec() });
  throw new Error(`unknown protocol '${name}' (json or messagepack)`);
}

const base64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

function reprValue(value) {
  if (value instanceof Uint8Array) return { $binary: base64(value) };
  if (value instanceof ExtData) return { $ext: { type: value.type, data: base64(value.data) } };
  if (value instanceof Date) return { $ext: { type: -1, data: base64(encodeTimestampExtension(value)) } };
  if (Array.isArray(value)) return value.map(reprValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reprValue(v)]));
  }
  return value === undefined ? null : value;
}

// A Microsoft HubMessage object -> hubspec's decode representation.
function represent(message) {
  const out = { type: TYPE_NAMES[message.type] ?? `Unknown(${message.type})` };
  const present = (v) => v !== undefined && v !== null;
  if (message.headers && Object.keys(message.headers).length > 0) out.headers = { ...message.headers };
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      if (present(message.invocationId) && message.invocationId !== "") out.invocationId = message.invocationId;
      out.target = message.target;
      if (message.arguments !== undefined) out.arguments = reprValue(message.arguments);
      if (Array.isArray(message.streamIds) && message.streamIds.length > 0) out.streamIds = [...message.streamIds];
      break;
    case MessageType.StreamItem:
      out.invocationId = message.invocationId;
      out.item = reprValue(message.item);
      break;
    case MessageType.Completion:
      out.invocationId = message.invocationId;
      if (present(message.error)) out.error = message.error;
      else if (message.result !== undefined) out.result = reprValue(message.result);
      break;
    case MessageType.CancelInvocation:
      out.invocationId = message.invocationId;
      break;
    case MessageType.Close:
      if (present(message.error)) out.error = message.error;
      if (present(message.allowReconnect)) out.allowReconnect = message.allowReconnect;
      break;
    case MessageType.Ack:
    case MessageType.Sequence:
      out.sequenceId = message.sequenceId;
      break;
  }
  return out;
}

// What Microsoft's writer actually puts on the wire for `message` (see the limits above).
function asWritten(protocolName, message) {
  if (protocolName === "messagepack" && message.type === MessageType.Close) return { type: MessageType.Close };
  return message;
}

function sampleMessages(protocolName) {
  const everyScalar = [
    0, -1, 1, 127, 128, 255, 256, 65535, 65536,
    2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1),
    1.5, -0.25, 3.141592653589793, 1e300,
    true, false, null,
    "", "plain", "héllo wörld", "日本語", "emoji 😀🎉", "record\u001eseparator", "line\nbreak\r\ntab\t",
    "quote\" backslash\\ slash/ apostrophe'", "\u0000nul",
  ];
  const nested = { a: [1, [2, { b: null }]], "ключ": true, empty: {}, list: [], deep: { x: { y: { z: ["😀"] } } } };
  const messages = [
    { type: MessageType.Invocation, target: "Send", arguments: ["hi", null, { a: 1 }] },
    { type: MessageType.Invocation, invocationId: "1", target: "Echo", arguments: everyScalar },
    { type: MessageType.Invocation, invocationId: "2", target: "Echo", arguments: [nested] },
    { type: MessageType.Invocation, invocationId: "3", target: "Sum", arguments: [], streamIds: ["4"] },
    { type: MessageType.Invocation, headers: { "x-trace": "abc", "ünï": "ç😀" }, invocationId: "5", target: "HelloWorld", arguments: [] },
    { type: MessageType.Invocation, target: "Broadcast", arguments: ["a\u001eb\nc"] },
    { type: MessageType.StreamInvocation, invocationId: "6", target: "Stream", arguments: [5, 10] },
    { type: MessageType.StreamInvocation, headers: { k: "v" }, invocationId: "7", target: "StreamEcho", arguments: [], streamIds: ["8", "9"] },
    { type: MessageType.StreamItem, invocationId: "6", item: 0 },
    { type: MessageType.StreamItem, invocationId: "6", item: null },
    { type: MessageType.StreamItem, headers: { h: "1" }, invocationId: "8", item: { nested: [1, "two", 3.5] } },
    { type: MessageType.StreamItem, invocationId: "8", item: "😀\u001e" },
    { type: MessageType.Completion, invocationId: "1", result: 42 },
    { type: MessageType.Completion, invocationId: "2", result: null },
    { type: MessageType.Completion, invocationId: "3" },
    { type: MessageType.Completion, invocationId: "4", error: "boom: ünïcode 😀" },
    { type: MessageType.Completion, headers: { a: "b" }, invocationId: "5", result: [true, false, -(2 ** 31), 2 ** 53 - 1] },
    { type: MessageType.Completion, invocationId: "6", result: "Hello World!" },
    { type: MessageType.CancelInvocation, invocationId: "6" },
    { type: MessageType.CancelInvocation, headers: { reason: "user" }, invocationId: "7" },
    { type: MessageType.Ping },
    { type: MessageType.Close },
    { type: MessageType.Close, error: "Connection closed with an error." },
    { type: MessageType.Close, error: "bye", allowReconnect: true },
    { type: MessageType.Ack, sequenceId: 1 },
    { type: MessageType.Ack, sequenceId: 2 ** 31 - 1 },
    { type: MessageType.Sequence, sequenceId: 1 },
    { type: MessageType.Sequence, sequenceId: 2 ** 53 - 1 },
  ];
  if (protocolName === "messagepack") {
    const bytes = new Uint8Array([0, 1, 2, 0x1e, 0x7f, 0x80, 0xff]);
    messages.push(
      { type: MessageType.Invocation, invocationId: "10", target: "Echo", arguments: [bytes, new Uint8Array(0), { blob: bytes }] },
      { type: MessageType.Completion, invocationId: "10", result: bytes },
      { type: MessageType.StreamItem, invocationId: "11", item: new ExtData(5, new Uint8Array([1, 2, 3])) },
      { type: MessageType.Invocation, target: "Echo", arguments: [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))] },
    );
  }
  return messages;
}

function toBytes(written) {
  return typeof written === "string" ? Buffer.from(written, "utf8") : Buffer.from(written);
}

// Proves the representation written to OUT.jsonl: wherever Microsoft's parser reads a sample back,
// it must represent it identically (modulo the parser limits listed at the top).
function checkRoundTrip(protocolName, protocol, message, bytes, expected) {
  const input = protocolName === "json" ? bytes.toString("utf8") : new Uint8Array(bytes).buffer;
  const parsed = protocol.parseMessages(input, NullLogger.instance);
  if (message.type === MessageType.StreamInvocation || message.type === MessageType.CancelInvocation) return;
  const seen = parsed.map(represent);
  const want = { ...expected };
  if (protocolName === "messagepack") delete want.streamIds;
  if (seen.length !== 1 || JSON.stringify(seen[0]) !== JSON.stringify(want)) {
    throw new Error(`round-trip mismatch: wrote ${JSON.stringify(want)}, Microsoft parsed ${JSON.stringify(seen)}`);
  }
}

function writeSamples(protocolName, bytesPath, jsonPath) {
  const protocol = makeProtocol(protocolName);
  const chunks = [];
  const lines = [];
  for (const message of sampleMessages(protocolName)) {
    const bytes = toBytes(protocol.writeMessage(message));
    const expected = represent(asWritten(protocolName, message));
    checkRoundTrip(protocolName, protocol, message, bytes, expected);
    chunks.push(bytes);
    lines.push(JSON.stringify(expected));
  }
  writeFileSync(bytesPath, Buffer.concat(chunks));
  writeFileSync(jsonPath, lines.join("\n") + "\n");
}

// Splits the input into records with Microsoft's own (unexported) framing classes, so that one
// bad record is reported on its own line and the rest still gets parsed; each record is then
// re-framed and handed to parseMessages() alone.
function splitRecords(protocolName, input) {
  if (protocolName === "json") {
    const text = input.toString("utf8");
    if (text.length === 0) return [];
    return TextMessageFormat.parse(text).map((record) => TextMessageFormat.write(record));
  }
  return BinaryMessageFormat.parse(new Uint8Array(input).buffer).map((body) => BinaryMessageFormat.write(body));
}

// The type code of one framed record, only to say which record Microsoft's parser skipped.
function recordType(protocolName, record) {
  try {
    if (protocolName === "json") return JSON.parse(record.slice(0, -1)).type;
    const [body] = BinaryMessageFormat.parse(record);
    return decodeMsgpack(body)[0];
  } catch {
    return "?";
  }
}

function parseInput(protocolName) {
  const protocol = makeProtocol(protocolName);
  const input = readFileSync(0);
  let failed = false;
  const print = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
  let records;
  try {
    records = splitRecords(protocolName, input);
  } catch (e) {
    print({ error: e.message });
    return 1;
  }
  for (const record of records) {
    try {
      const messages = protocol.parseMessages(record, NullLogger.instance);
      if (messages.length === 0) print({ skipped: true, reason: `Microsoft's parser ignores message type ${recordType(protocolName, record)}` });
      for (const message of messages) print(represent(message));
    } catch (e) {
      failed = true;
      print({ error: e.message });
    }
  }
  return failed ? 1 : 0;
}

function main(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (let i = 0; i < rest.length; i += 2) options[rest[i].replace(/^--/, "")] = rest[i + 1];
  const usage = "usage: codec.mjs samples --protocol json|messagepack --bytes OUT.bin --json OUT.jsonl\n" +
                "       codec.mjs parse --protocol json|messagepack < IN.bin";
  if (!["json", "messagepack"].includes(options.protocol)) {
    process.stderr.write(usage + "\n");
    return 2;
  }
  if (command === "samples" && options.bytes && options.json) {
    writeSamples(options.protocol, options.bytes, options.json);
    return 0;
  }
  if (command === "parse") return parseInput(options.protocol);
  process.stderr.write(usage + "\n");
  return 2;
}

process.exitCode = main(process.argv.slice(2));
