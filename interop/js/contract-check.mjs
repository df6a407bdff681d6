// Contract check: exercises every method and endpoint of the conformance hub contract
// (shared/spec/conformance-hub.md) on any server, through Microsoft's JS client.
//
//   node contract-check.mjs --url http://HOST:PORT/conformance --transport WebSockets --protocol json
//       [--only NAME,NAME] [--timeout-ms 10000]
//
// One JSON line per check on stdout: {"check":...,"result":"pass"|"fail","reason":...,"client":"js",...}.
// interop/dotnet-client (--contract-check) runs the same checks, by the same names and in the same
// order, through Microsoft's .NET client; keep the two lists in step (tests/contract.test.mjs compares them).
// Exit 0 when all passed, 1 when any failed, 127 when the client cannot run this
// transport × protocol (Server-Sent Events × MessagePack), 2 on bad arguments.
import { Subject } from "@microsoft/signalr";
import { buildConnection, unsupportedReason } from "./hub.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const hubUrl = args.url;
const transport = args.transport ?? "";
const protocol = args.protocol ?? "json";
const timeoutMs = Number(args["timeout-ms"] ?? 10000);
const only = args.only ? new Set(args.only.split(",")) : null;

if (!hubUrl) {
  process.stderr.write("usage: contract-check.mjs --url HUB_URL --transport NAME --protocol json|messagepack [--only a,b]\n");
  process.exit(2);
}
const unsupported = unsupportedReason(transport, protocol);
if (unsupported) {
  process.stdout.write(JSON.stringify({ check: "transport-protocol", result: "unsupported", reason: unsupported, client: "js" }) + "\n");
  process.exit(127);
}
const origin = new URL(hubUrl).origin;
const endpoint = (path) => origin + path;

// ---- small helpers ----

class CheckFailure extends Error {}
const expect = (condition, what) => { if (!condition) throw new CheckFailure(what); };
const show = (value) => JSON.stringify(value, (_, v) => (v instanceof Uint8Array ? { $binary: Buffer.from(v).toString("base64") } : v));
const sameValue = (a, b) => show(a) === show(b);
const expectEqual = (seen, wanted, what) => expect(sameValue(seen, wanted), `${what}: expected ${show(wanted)}, saw ${show(seen)}`);

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new CheckFailure(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function expectRejection(promise, what) {
  try {
    const value = await withTimeout(promise, what);
    throw new CheckFailure(`${what}: expected an error, got result ${show(value)}`);
  } catch (e) {
    if (e instanceof CheckFailure) throw e;
    return String(e.message ?? e);
  }
}

/** Collects the invocations a connection receives for `method`; next() hands them out in order. */
function inbox(connection, method) {
  const received = [];
  const waiters = [];
  let consumed = 0;
  const arrival = (what) => withTimeout(new Promise((resolve) => waiters.push(resolve)), what);
  connection.on(method, (...args) => {
    received.push(args);
    for (const waiter of waiters.splice(0)) waiter();
  });
  return {
    received,
    /** The next `count` invocations not yet handed out, waiting for them as needed. */
    async next(count = 1) {
      while (received.length < consumed + count) await arrival(`${count} × ${method}`);
      consumed += count;
      return received.slice(consumed - count, consumed);
    },
    async until(predicate, what) {
      while (!received.some(predicate)) await arrival(what);
    },
  };
}

const openConnections = [];
async function connect(url = hubUrl, options = {}) {
  const connection = buildConnection(url, transport, protocol, options);
  openConnections.push(connection);
  await withTimeout(connection.start(), `start of ${url}`);
  return connection;
}

// The caller gets its own Echo(marker) only after every earlier message the server sent it:
// waiting for it proves that a message did *not* arrive, without sleeping.
async function flush(connection, echoes) {
  const marker = `flush-${Math.random()}`;
  await connection.invoke("EchoToCaller", marker);
  await echoes.until((args) => args[0] === marker, "flush marker");
}

function collectStream(stream) {
  const items = [];
  return new Promise((resolve, reject) => stream.subscribe({
    next: (item) => items.push(item),
    complete: () => resolve(items),
    error: (error) => reject(Object.assign(error, { items })),
  }));
}

async function cancelCountRisesAbove(connection, before, what) {
  const deadline = Date.now() + timeoutMs;
  // The server counts a cancellation asynchronously; ask again until it shows (bounded).
  for (;;) {
    const now = await connection.invoke("GetCancelCount");
    if (now > before) return;
    expect(Date.now() < deadline, `${what}: GetCancelCount stayed at ${now}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the checks, one per contract line ----

const echoSamples = () => {
  const samples = [
    "text", "ünïcode 😀", 0, -1, 2147483647, 9007199254740991, 1.5, true, false, null,
    [1, "two", [3]], { nested: { list: [1, 2], flag: true, none: null } }, "",
  ];
  if (protocol === "messagepack") samples.push(new Uint8Array([0, 1, 0x1e, 0xff]));
  return samples;
};

const checks = {
  async "endpoint./conformance.stateful-reconnect-allowed"() {
    const response = await withTimeout(fetch(`${hubUrl}/negotiate?negotiateVersion=1&useStatefulReconnect=true`, { method: "POST" }), "negotiate");
    const body = await response.json();
    expectEqual(body.useStatefulReconnect, true, "negotiate useStatefulReconnect");
  },
  async "method.Echo"() {
    const c = await connect();
    for (const value of echoSamples()) expectEqual(await c.invoke("Echo", value), value, `Echo(${show(value)})`);
  },
  async "method.HelloWorld"() {
    expectEqual(await (await connect()).invoke("HelloWorld"), "Hello World!", "HelloWorld()");
  },
  async "method.VoidMethod"() {
    const result = await (await connect()).invoke("VoidMethod");
    expect(result === null || result === undefined, `VoidMethod(): expected no result, saw ${show(result)}`);
  },
  async "method.Add"() {
    const c = await connect();
    expectEqual(await c.invoke("Add", 2, 3), 5, "Add(2, 3)");
    expectEqual(await c.invoke("Add", -2147483648, 2147483647), -1, "Add(-2^31, 2^31-1)");
    await expectRejection(c.invoke("Add", "two", 3), "Add(\"two\", 3)");
    await expectRejection(c.invoke("Add", 1), "Add(1)");
  },
  async "method.ThrowException"() {
    const message = await expectRejection((await connect()).invoke("ThrowException", "hubspec-boom"), "ThrowException");
    expect(message.length > 0, "ThrowException: the error text is empty");
  },
  async "method.ThrowHubException"() {
    const message = await expectRejection((await connect()).invoke("ThrowHubException", "hubspec-detail"), "ThrowHubException");
    expect(message.includes("hubspec-detail"), `ThrowHubException: the error does not carry the HubException's message: ${show(message)}`);
  },
  async "method.Delay"() {
    const c = await connect();
    const started = Date.now();
    expectEqual(await c.invoke("Delay", 100), 100, "Delay(100)");
    expect(Date.now() - started >= 90, `Delay(100) returned after ${Date.now() - started} ms`);
  },
  async "method.GetCallerConnectionId"() {
    const c = await connect();
    expectEqual(await c.invoke("GetCallerConnectionId"), c.connectionId, "GetCallerConnectionId()");
  },
  async "method.GetActiveTransportName"() {
    const c = await connect();
    const name = await c.invoke("GetActiveTransportName");
    if (transport) expectEqual(name, transport, "GetActiveTransportName()");
    else expect(["WebSockets", "ServerSentEvents", "LongPolling"].includes(name), `GetActiveTransportName(): saw ${show(name)}`);
  },
  async "method.GetUserIdentifier"() {
    expectEqual(await (await connect()).invoke("GetUserIdentifier"), null, "GetUserIdentifier() without a user");
  },
  async "method.GetHeader"() {
    const c = await connect(hubUrl, { headers: { "X-Hubspec-Check": "header-value" } });
    expectEqual(await c.invoke("GetHeader", "X-Hubspec-Check"), "header-value", "GetHeader(X-Hubspec-Check)");
    expectEqual(await c.invoke("GetHeader", "X-Hubspec-Absent"), null, "GetHeader(X-Hubspec-Absent)");
  },
  async "method.EchoToCaller"() {
    const c = await connect();
    const echoes = inbox(c, "Echo");
    await c.invoke("EchoToCaller", { v: [1, "x"] });
    expectEqual((await echoes.next())[0], [{ v: [1, "x"] }], "Echo received");
  },
  async "method.Broadcast+SendToOthers"() {
    const [a, b] = [await connect(), await connect()];
    const [aBroadcasts, bBroadcasts] = [inbox(a, "Broadcast"), inbox(b, "Broadcast")];
    const aEchoes = inbox(a, "Echo");
    await a.invoke("Broadcast", "to-all");
    expectEqual((await aBroadcasts.next())[0], ["to-all"], "Broadcast at the caller");
    expectEqual((await bBroadcasts.next())[0], ["to-all"], "Broadcast at the other connection");
    await a.invoke("SendToOthers", "to-others");
    expectEqual((await bBroadcasts.next())[0], ["to-others"], "SendToOthers at the other connection");
    await flush(a, aEchoes);
    expectEqual(aBroadcasts.received.length, 1, "Broadcasts at the caller after SendToOthers (must exclude it)");
  },
  async "method.SendToConnection"() {
    const [a, b] = [await connect(), await connect()];
    const bDirect = inbox(b, "Direct");
    await a.invoke("SendToConnection", b.connectionId, "just-you");
    expectEqual((await bDirect.next())[0], ["just-you"], "Direct at the target connection");
  },
  async "method.SendToUser"() {
    const token = await fetchToken("hubspec-user");
    const auth = { accessTokenFactory: () => token };
    const [u1, u2, other] = [await connect(endpoint("/conformance-auth"), auth), await connect(endpoint("/conformance-auth"), auth), await connect()];
    const [d1, d2] = [inbox(u1, "Direct"), inbox(u2, "Direct")];
    await other.invoke("SendToUser", "hubspec-user", "to-user");
    expectEqual((await d1.next())[0], ["to-user"], "Direct at the user's first connection");
    expectEqual((await d2.next())[0], ["to-user"], "Direct at the user's second connection");
  },
  async "method.JoinGroup+SendToGroup+SendToOthersInGroup+LeaveGroup"() {
    const [a, b, outsider] = [await connect(), await connect(), await connect()];
    const group = `g-${Math.random()}`;
    const [aGroup, bGroup, outsiderGroup] = [inbox(a, "GroupMessage"), inbox(b, "GroupMessage"), inbox(outsider, "GroupMessage")];
    const [aEchoes, bEchoes, outsiderEchoes] = [inbox(a, "Echo"), inbox(b, "Echo"), inbox(outsider, "Echo")];
    await a.invoke("JoinGroup", group);
    await b.invoke("JoinGroup", group);
    await outsider.invoke("SendToGroup", group, "to-group");
    expectEqual((await aGroup.next())[0], [group, "to-group"], "GroupMessage at member a");
    expectEqual((await bGroup.next())[0], [group, "to-group"], "GroupMessage at member b");
    await flush(outsider, outsiderEchoes);
    expectEqual(outsiderGroup.received.length, 0, "GroupMessages at a non-member");
    await a.invoke("SendToOthersInGroup", group, "others-in-group");
    expectEqual((await bGroup.next())[0], [group, "others-in-group"], "SendToOthersInGroup at member b");
    await flush(a, aEchoes);
    expectEqual(aGroup.received.length, 1, "GroupMessages at the caller after SendToOthersInGroup (must exclude it)");
    await b.invoke("LeaveGroup", group);
    await a.invoke("SendToGroup", group, "after-leave");
    expectEqual((await aGroup.next())[0], [group, "after-leave"], "GroupMessage at the remaining member");
    await flush(b, bEchoes);
    expectEqual(bGroup.received.length, 2, "GroupMessages at b after LeaveGroup");
  },
  async "method.ManyArgs"() {
    const c = await connect();
    const many = inbox(c, "ManyArgs");
    for (const n of [0, 1, 10]) {
      await c.invoke("ManyArgs", n);
      expectEqual((await many.next())[0], [...Array(n).keys()], `ManyArgs(${n})`);
    }
  },
  async "method.Sequence"() {
    const c = await connect();
    const seq = inbox(c, "Seq");
    expectEqual(await c.invoke("Sequence", 200), 200, "Sequence(200) result");
    expectEqual(seq.received.map((args) => args[0]), [...Array(200).keys()], "Seq items before the result");
  },
  async "stream.Stream"() {
    expectEqual(await withTimeout(collectStream((await connect()).stream("Stream", 5, 10)), "Stream(5, 10)"), [0, 1, 2, 3, 4], "Stream(5, 10)");
  },
  async "stream.EmptyStream"() {
    expectEqual(await withTimeout(collectStream((await connect()).stream("EmptyStream")), "EmptyStream()"), [], "EmptyStream()");
  },
  async "stream.InfiniteStream+cancel+GetCancelCount"() {
    const c = await connect();
    const before = await c.invoke("GetCancelCount");
    const items = [];
    await withTimeout(new Promise((resolve, reject) => {
      const subscription = c.stream("InfiniteStream", 5).subscribe({
        next: (item) => { items.push(item); if (items.length === 3) { subscription.dispose(); resolve(); } },
        complete: () => reject(new CheckFailure("InfiniteStream completed by itself")),
        error: reject,
      });
    }), "3 items of InfiniteStream(5)");
    expectEqual(items, [0, 1, 2], "InfiniteStream items");
    await cancelCountRisesAbove(c, before, "InfiniteStream cancelled");
  },
  async "stream.StreamThrowException"() {
    try {
      const items = await withTimeout(collectStream((await connect()).stream("StreamThrowException", 2, "stream-boom")), "StreamThrowException");
      throw new CheckFailure(`StreamThrowException completed without error after ${show(items)}`);
    } catch (e) {
      if (e instanceof CheckFailure) throw e;
      expectEqual(e.items, [0, 1], "items before the stream error");
    }
  },
  async "upload.Sum"() {
    const c = await connect();
    const subject = new Subject();
    const result = c.invoke("Sum", subject);
    for (let i = 1; i <= 10; i++) subject.next(i);
    subject.complete();
    expectEqual(await withTimeout(result, "Sum"), 55, "Sum(1..10)");
  },
  async "upload.UploadConcat"() {
    const c = await connect();
    const subject = new Subject();
    const result = c.invoke("UploadConcat", subject);
    for (const part of ["a", "b", "ü😀"]) subject.next(part);
    subject.complete();
    expectEqual(await withTimeout(result, "UploadConcat"), "abü😀", "UploadConcat(a, b, ü😀)");
  },
  async "bidi.StreamEcho"() {
    const c = await connect();
    const subject = new Subject();
    const echoed = collectStream(c.stream("StreamEcho", subject));
    for (const item of [1, "two", { three: 3 }]) subject.next(item);
    subject.complete();
    expectEqual(await withTimeout(echoed, "StreamEcho"), [1, "two", { three: 3 }], "StreamEcho items");
  },
  async "bidi.StreamEcho+cancel"() {
    const c = await connect();
    const before = await c.invoke("GetCancelCount");
    const subject = new Subject();
    await withTimeout(new Promise((resolve, reject) => {
      const subscription = c.stream("StreamEcho", subject).subscribe({
        next: (item) => { if (item === "first") { subscription.dispose(); resolve(); } },
        complete: () => reject(new CheckFailure("StreamEcho completed before the cancel")),
        error: reject,
      });
      subject.next("first");
    }), "first StreamEcho item");
    await cancelCountRisesAbove(c, before, "StreamEcho cancelled");
  },
  async "client-result.ClientResult"() {
    const c = await connect();
    c.on("Result", (value) => value);
    c.on("Fails", () => { throw new Error("client-boom"); });
    expectEqual(await c.invoke("ClientResult", "Result", { answer: 42 }), { answer: 42 }, "ClientResult(Result, …)");
    await expectRejection(c.invoke("ClientResult", "NoSuchHandler", 1), "ClientResult with no handler");
    const error = await expectRejection(c.invoke("ClientResult", "Fails", 1), "ClientResult with a throwing handler");
    expect(error.includes("client-boom"), `ClientResult with a throwing handler: error ${show(error)} lacks the client's text`);
  },
  async "control.Abort"() {
    const c = await connect(hubUrl, { reconnect: [0, 0, 0] });
    const ending = new Promise((resolve) => {
      c.onreconnecting(() => resolve("reconnecting"));
      c.onclose(() => resolve("closed"));
    });
    await c.invoke("Abort").catch(() => {}); // the connection may end before the Completion
    expectEqual(await withTimeout(ending, "the end of the connection"), "closed", "after Abort() the client");
  },
  async "endpoint./conformance-nows"() {
    const response = await withTimeout(fetch(`${endpoint("/conformance-nows")}/negotiate?negotiateVersion=1`, { method: "POST" }), "negotiate");
    const offered = (await response.json()).availableTransports?.map((t) => t.transport);
    expect(!offered?.includes("WebSockets"), `/conformance-nows offers ${show(offered)}`);
    if (transport === "WebSockets") {
      await expectRejection(connect(endpoint("/conformance-nows")), "WebSockets start on /conformance-nows");
    } else {
      const c = await connect(endpoint("/conformance-nows"));
      const name = await c.invoke("GetActiveTransportName");
      expect(name !== "WebSockets", `GetActiveTransportName() on /conformance-nows: ${name}`);
    }
  },
  async "endpoint./conformance-auth+/token"() {
    const unauthorized = await withTimeout(fetch(`${endpoint("/conformance-auth")}/negotiate?negotiateVersion=1`, { method: "POST" }), "negotiate");
    expectEqual(unauthorized.status, 401, "negotiate status without a token");
    await expectRejection(connect(endpoint("/conformance-auth")), "start without a token");
    const token = await fetchToken("alice");
    const c = await connect(endpoint("/conformance-auth"), { accessTokenFactory: () => token });
    expectEqual(await c.invoke("GetUserIdentifier"), "alice", "GetUserIdentifier() with alice's token");
  },
  async "endpoint./redirect"() {
    const c = await connect(endpoint("/redirect"));
    expectEqual(await c.invoke("GetUserIdentifier"), "redirected", "GetUserIdentifier() after the redirect");
  },
  async "endpoint./chat"() {
    const [a, b] = [await connect(endpoint("/chat")), await connect(endpoint("/chat"))];
    const [aChat, bChat] = [inbox(a, "ReceiveMessage"), inbox(b, "ReceiveMessage")];
    await a.invoke("SendMessage", "ann", "hello");
    expectEqual((await aChat.next())[0], ["ann", "hello"], "ReceiveMessage at the sender");
    expectEqual((await bChat.next())[0], ["ann", "hello"], "ReceiveMessage at the other connection");
  },
};

async function fetchToken(user) {
  const response = await withTimeout(fetch(`${endpoint("/token")}?user=${encodeURIComponent(user)}`), "/token");
  expectEqual(response.status, 200, `GET /token?user=${user} status`);
  return (await response.text()).trim();
}

let failed = 0;
for (const [name, run] of Object.entries(checks)) {
  if (only && !only.has(name)) continue;
  const started = Date.now();
  let line;
  try {
    await run();
    line = { check: name, result: "pass" };
  } catch (e) {
    failed++;
    line = { check: name, result: "fail", reason: String(e.message ?? e) };
  } finally {
    await Promise.all(openConnections.splice(0).map((c) => c.stop().catch(() => {})));
  }
  process.stdout.write(JSON.stringify({ ...line, transport: transport || null, protocol, client: "js", ms: Date.now() - started }) + "\n");
}
process.exit(failed > 0 ? 1 : 0);
