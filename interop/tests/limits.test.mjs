// The ASP.NET Core peer's remaining timing and size options, each where it shows behaviour:
// --handshake-timeout-ms (HS-009), --max-message-size (FRAME-009/FRAME-010) and
// --stateful-reconnect-buffer-size (SR-010). The first two are seen on the wire through a raw
// WebSocket client (below, ~60 lines) so that exact bytes and frame types can be checked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { EVENT_TIMEOUT_MS, startPeer, within } from "./support.mjs";
import { MessagePackHubProtocol, NullLogger, buildConnection } from "../js/hub.mjs";

const HANDSHAKE_TIMEOUT_MS = 500;
const MAX_MESSAGE_SIZE = 1024;
const BUFFER_SIZE = 1000;
const RS = "\x1e";

let peer;
before(async () => {
  peer = await startPeer(["--handshake-timeout-ms", String(HANDSHAKE_TIMEOUT_MS), "--max-message-size", String(MAX_MESSAGE_SIZE),
    "--stateful-reconnect-buffer-size", String(BUFFER_SIZE)]);
});
after(async () => { await peer?.stop(); });

/** A negotiated WebSocket connection to `path`, spoken by hand: frames in, frames out, nothing else. */
async function rawWebSocket(path) {
  const response = await fetch(`${peer.origin}${path}/negotiate?negotiateVersion=1`, { method: "POST" });
  const { connectionToken } = await response.json();
  const socket = net.connect(peer.port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(`GET ${path}?id=${encodeURIComponent(connectionToken)} HTTP/1.1\r\nHost: 127.0.0.1:${peer.port}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const ws = { status: null, frames: [], ended: false, waiters: [] };
  let buffer = Buffer.alloc(0);
  const wake = () => { for (const waiter of ws.waiters.splice(0)) waiter(); };
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (ws.status === null) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      ws.status = buffer.subarray(0, end).toString().split("\r\n")[0];
      buffer = buffer.subarray(end + 4);
    }
    for (;;) { // server frames are unmasked; SignalR never fragments them
      if (buffer.length < 2) break;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) { if (buffer.length < 4) break; length = buffer.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffer.length < 10) break; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      if (buffer.length < offset + length) break;
      ws.frames.push({ opcode: buffer[0] & 0x0f, payload: buffer.subarray(offset, offset + length) });
      buffer = buffer.subarray(offset + length);
    }
    wake();
  });
  socket.on("close", () => { ws.ended = true; wake(); });
  socket.on("error", () => {});
  /** The next frame for which `keep` is true (others are dropped), or null once the TCP connection ended. */
  ws.nextFrame = async (what, keep = () => true) => {
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    for (;;) {
      while (ws.frames.length > 0) {
        const frame = ws.frames.shift();
        if (keep(frame)) return frame;
      }
      if (ws.ended) return null;
      assert.ok(Date.now() < deadline, `no ${what} within ${EVENT_TIMEOUT_MS} ms (upgrade: ${ws.status})`);
      await new Promise((resolve) => { ws.waiters.push(resolve); setTimeout(resolve, deadline - Date.now()); });
    }
  };
  ws.send = (opcode, data) => { // client frames are masked (RFC 6455 §5.3)
    const payload = Buffer.from(data);
    const mask = randomBytes(4);
    const header = payload.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    socket.write(Buffer.concat([header, mask, payload.map((byte, i) => byte ^ mask[i % 4])]));
  };
  ws.close = () => socket.destroy();
  return ws;
}

test(`handshake timeout: a WebSocket that never sends the HandshakeRequest gets {"error":"Handshake was canceled."} after --handshake-timeout-ms, then the end (HS-009, HS-008, KA-009)`, async () => {
  const ws = await rawWebSocket("/conformance");
  const started = Date.now(); // the upgrade request is on its way: the server's handshake clock starts after this
  try {
    const frame = await ws.nextFrame("handshake response");
    const elapsed = Date.now() - started;
    assert.match(ws.status ?? "", /^HTTP\/1\.1 101 /, "WebSocket upgrade status line");
    assert.ok(frame, `the server closed without a handshake response after ${elapsed} ms`);
    assert.equal(frame.payload.toString(), `{"error":"Handshake was canceled."}${RS}`, `handshake response (frame opcode ${frame.opcode})`);
    assert.ok(elapsed >= HANDSHAKE_TIMEOUT_MS - 50 && elapsed < HANDSHAKE_TIMEOUT_MS + 5000,
      `handshake response after ${elapsed} ms, --handshake-timeout-ms ${HANDSHAKE_TIMEOUT_MS}`);
    // HS-008: no hub Close message after a failed handshake; the WebSocket ends (Close frame or TCP end).
    const next = await ws.nextFrame("end of the connection");
    assert.ok(next === null || next.opcode === 8, `after the handshake error: frame opcode ${next?.opcode} ${next?.payload.toString()}`);
  } finally {
    ws.close();
  }
});

const codecs = {
  json: {
    opcode: 1,
    invocation: (id, text) => Buffer.from(JSON.stringify({ type: 1, invocationId: id, target: "Echo", arguments: [text] }) + RS),
    parse: (payload) => payload.toString().split(RS).filter(Boolean).map((record) => JSON.parse(record)),
  },
  messagepack: {
    opcode: 2,
    invocation: (id, text) => Buffer.from(new MessagePackHubProtocol().writeMessage(
      { type: 1, invocationId: id, target: "Echo", arguments: [text], headers: {}, streamIds: [] })),
    parse: (payload) => new MessagePackHubProtocol().parseMessages(
      payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.length), NullLogger.instance),
  },
};

/** An Echo invocation whose whole record (body + RS, or VarInt + body) is exactly `size` bytes. */
function invocationOfSize(codec, id, size) {
  for (let length = size; length > 0; length--) {
    const record = codec.invocation(id, "x".repeat(length));
    if (record.length === size) return record;
  }
  throw new Error(`no Echo record of exactly ${size} bytes`);
}

for (const [protocol, codec] of Object.entries(codecs)) {
  test(`maximum message size, ${protocol}: a record of exactly --max-message-size bytes is served, one byte more closes the connection with the Close error of FRAME-010 (FRAME-009, FRAME-010, ERR-007)`, async () => {
    const ws = await rawWebSocket("/conformance");
    const hubMessage = (what) => async () => {
      for (;;) { // Pings (keep-alive) may come in between
        const frame = await ws.nextFrame(what);
        if (frame === null || frame.opcode === 8) return { frame };
        const messages = codec.parse(frame.payload).filter((m) => m.type !== 6);
        if (messages.length > 0) return { frame, message: messages[0], count: messages.length };
      }
    };
    try {
      ws.send(codec.opcode, `{"protocol":"${protocol}","version":1}${RS}`);
      const handshake = await ws.nextFrame("handshake response");
      assert.equal(handshake?.payload.toString(), `{}${RS}`, `${protocol}: handshake response`);

      const fits = invocationOfSize(codec, "1", MAX_MESSAGE_SIZE);
      ws.send(codec.opcode, fits);
      const { message: completion } = await hubMessage("Completion of the record at the limit")();
      assert.equal(completion?.type, 3, `${protocol}: answer to a ${fits.length}-byte record: ${JSON.stringify(completion)}`);
      assert.equal(completion.invocationId, "1", `${protocol}: Completion id`);
      assert.equal(completion.error, undefined, `${protocol}: Completion error for a ${fits.length}-byte record`);

      const over = invocationOfSize(codec, "2", MAX_MESSAGE_SIZE + 1);
      ws.send(codec.opcode, over);
      const { frame, message: close } = await hubMessage("Close message after the oversized record")();
      assert.equal(close?.type, 7, `${protocol}: answer to a ${over.length}-byte record: ${JSON.stringify(close)} (frame opcode ${frame?.opcode})`);
      assert.equal(close.error, `Connection closed with an error. InvalidDataException: The maximum message size of ${MAX_MESSAGE_SIZE}B was exceeded. The message size can be configured in AddHubOptions.`,
        `${protocol}: Close error (detailed errors on)`);
      assert.equal(close.allowReconnect, true, `${protocol}: Close allowReconnect after an oversized message`);
      const end = await ws.nextFrame("end of the connection", (f) => f.opcode === 8);
      assert.ok(end === null || end.opcode === 8, `${protocol}: the WebSocket ends after the Close message`);
    } finally {
      ws.close();
    }
  });
}

test(`stateful reconnect buffer size: with --stateful-reconnect-buffer-size ${BUFFER_SIZE} the server waits for the client's Acks once that many bytes are un-acked (SR-010, SR-008, SR-009)`, { timeout: 60000 }, async () => {
  const connection = buildConnection(`${peer.origin}/conformance`, "WebSockets", "json", { stateful: true });
  const arrivals = [];
  connection.on("Seq", (i) => { arrivals.push({ i, at: Date.now() }); });
  try {
    await connection.start();
    const count = 60; // {"type":1,"target":"Seq","arguments":[N]}+RS: 42-43 bytes, so ~2600 bytes in all
    const result = await within(connection.invoke("Sequence", count), `Sequence(${count}) result`);
    assert.equal(result, count, `Sequence(${count}) result`);
    assert.deepEqual(arrivals.map((a) => a.i), [...Array(count).keys()], "Seq items, each once and in order");
    // Bursts: runs of Seq separated by a pause of 500 ms or more (the clients Ack about 1 s after receiving).
    const bursts = [1];
    for (let k = 1; k < arrivals.length; k++) {
      if (arrivals[k].at - arrivals[k - 1].at >= 500) bursts.push(1);
      else bursts[bursts.length - 1]++;
    }
    const perBurst = Math.floor(BUFFER_SIZE / 42) + 1; // the server sends while un-acked bytes ≤ the limit
    assert.ok(bursts.length >= 2, `Seq arrived in ${bursts.length} burst(s) ${JSON.stringify(bursts)}: no pause for Acks`);
    assert.ok(Math.max(...bursts) <= perBurst, `Seq bursts ${JSON.stringify(bursts)}: more than ${perBurst} messages (${BUFFER_SIZE} bytes) without an Ack`);
  } finally {
    await connection.stop();
  }
});
