// Client agent for Microsoft's .NET client (conformance-hub.md, "Client agent contract").
// Environment: HUBSPEC_URL, HUBSPEC_TRANSPORT (empty = client's choice), HUBSPEC_PROTOCOL,
// HUBSPEC_SCENARIO; when set, HUBSPEC_KEEPALIVE_MS and HUBSPEC_SERVER_TIMEOUT_MS (the harness's
// short timings, as the client's KeepAliveInterval and ServerTimeout). Prints one JSON line per state change on stdout; exits 0 after Stop()
// or a clean close, 1 on a failed start or a close with an error, 127 when unsupported.
// Peer-test extra (not in the contract): RunSequence(count) makes the agent invoke
// Sequence(count) and print {"event":"sequence","result":…,"seq":[the Seq items seen],…}.
//
// With --contract-check as first argument it runs the contract check instead (ContractCheck.cs).
using System.Text.Json;
using System.Threading.Channels;
using Hubspec.Interop.DotnetClient;
using Microsoft.AspNetCore.SignalR.Client;

if (args is ["--contract-check", ..]) return await ContractCheck.RunAsync(args[1..]);

var url = Environment.GetEnvironmentVariable("HUBSPEC_URL");
var transportName = Environment.GetEnvironmentVariable("HUBSPEC_TRANSPORT") ?? "";
var protocol = Environment.GetEnvironmentVariable("HUBSPEC_PROTOCOL") is { Length: > 0 } p ? p : "json";
var scenario = Environment.GetEnvironmentVariable("HUBSPEC_SCENARIO") ?? "";

var stdoutLock = new object();
void Emit(string @event, Dictionary<string, object?>? fields = null)
{
    var line = new Dictionary<string, object?> { ["event"] = @event, ["client"] = "dotnet", ["scenario"] = scenario };
    foreach (var (key, value) in fields ?? []) line[key] = value;
    lock (stdoutLock) Console.Out.WriteLine(JsonSerializer.Serialize(line));
}

if (string.IsNullOrEmpty(url))
{
    Console.Error.WriteLine("dotnet agent: HUBSPEC_URL is not set");
    return 2;
}

var unsupported = ClientSetup.UnsupportedReason(transportName, protocol, out var transport);
if (unsupported is not null)
{
    Emit("unsupported", new() { ["transport"] = transportName, ["protocol"] = protocol, ["reason"] = unsupported });
    return 127;
}

TimeSpan? Milliseconds(string name) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
var keepAlive = Milliseconds("HUBSPEC_KEEPALIVE_MS");
var serverTimeout = Milliseconds("HUBSPEC_SERVER_TIMEOUT_MS");

await using var connection = ClientSetup.Build(url, transport, protocol, hub: builder =>
{
    builder.WithAutomaticReconnect().WithStatefulReconnect();
    if (keepAlive is { } k) builder.WithKeepAliveInterval(k);
    if (serverTimeout is { } t) builder.WithServerTimeout(t);
});

var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
var stopping = false;

connection.On<object?>("Echo", value =>
{
    // Not awaited: an invocation from inside a handler would wait on the receive loop that runs it.
    _ = connection.InvokeAsync("EchoReply", value).ContinueWith(
        t => Console.Error.WriteLine($"dotnet agent: EchoReply failed: {t.Exception?.GetBaseException().Message}"),
        TaskContinuationOptions.OnlyOnFaulted);
});
connection.On<object?, object?>("Result", value => value);
// Streaming extras of hubspec's client suite (scenarios/client/streaming.yaml): the server asks the
// client to stream, the client answers with EchoReply once the stream is over. Not awaited here:
// a handler's own calls would wait on the receive loop that runs it.
void ReplyLater(Func<Task<object?>> work) => _ = Task.Run(async () =>
{
    object? reply;
    try { reply = await work(); }
    catch (Exception e) { reply = $"stream failed: {e.Message}"; }
    try { await connection.InvokeAsync("EchoReply", reply); }
    catch (Exception e) { Console.Error.WriteLine($"dotnet agent: EchoReply failed: {e.Message}"); }
});
connection.On<int>("StreamFrom", count => ReplyLater(async () =>
{
    var items = new List<int>();
    await foreach (var item in connection.StreamAsync<int>("Stream", count, 10)) items.Add(item);
    return items;
}));
connection.On("CancelStream", () => ReplyLater(async () =>
{
    using var cancel = new CancellationTokenSource();
    await foreach (var _ in connection.StreamAsync<int>("InfiniteStream", 20, cancel.Token))
    {
        cancel.Cancel(); // CancelInvocation
        break;
    }
    return "cancelled";
}));
connection.On<string[]>("UploadFrom", items => ReplyLater(async () =>
{
    var upload = Channel.CreateUnbounded<string>();
    var result = connection.InvokeAsync<string>("UploadConcat", upload.Reader);
    foreach (var item in items) await upload.Writer.WriteAsync(item);
    upload.Writer.Complete();
    return await result;
}));
connection.On("Stop", () =>
{
    stopping = true;
    _ = Task.Run(() => connection.StopAsync()); // StopAsync waits for this handler's loop to end
});

var seq = new List<int>();
TaskCompletionSource? flushed = null;
connection.On("ManyArgs", () => { flushed?.TrySetResult(); });
connection.On<int>("Seq", i => { lock (seq) seq.Add(i); });
connection.On<int>("RunSequence", count =>
{
    lock (seq) seq.Clear();
    _ = Task.Run(async () =>
    {
        try
        {
            var result = await connection.InvokeAsync<int>("Sequence", count);
            // The .NET client may complete an invocation before earlier invocations' handlers ran
            // (FINDINGS.md, MSG-103). Handlers run in arrival order, so once the handler of a later
            // ManyArgs() ran, every Seq received before it has been handled too.
            flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await connection.InvokeAsync("ManyArgs", 0);
            await flushed.Task.WaitAsync(TimeSpan.FromSeconds(10));
            int[] items;
            lock (seq) items = [.. seq];
            Emit("sequence", new() { ["result"] = result, ["seq"] = items, ["connectionId"] = connection.ConnectionId });
        }
        catch (Exception e)
        {
            Emit("sequence", new() { ["error"] = e.Message });
        }
    });
});

connection.Reconnecting += error =>
{
    Emit("reconnecting", new() { ["error"] = error?.Message });
    return Task.CompletedTask;
};
connection.Reconnected += connectionId =>
{
    Emit("reconnected", new() { ["connectionId"] = connectionId });
    return Task.CompletedTask;
};
connection.Closed += error =>
{
    Emit("closed", new() { ["error"] = error?.Message });
    finished.TrySetResult(stopping || error is null ? 0 : 1);
    return Task.CompletedTask;
};

try
{
    await connection.StartAsync();
}
catch (Exception e)
{
    Emit("closed", new() { ["error"] = $"start failed: {e.Message}" });
    return 1;
}
Emit("connected", new() { ["connectionId"] = connection.ConnectionId, ["transport"] = transport?.ToString(), ["protocol"] = protocol });
return await finished.Task;
