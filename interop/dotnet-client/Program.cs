// Client agent for Microsoft's .NET client (conformance-hub.md, "Client agent contract").
// Environment: HUBSPEC_URL, HUBSPEC_TRANSPORT (empty = client's choice), HUBSPEC_PROTOCOL,
// HUBSPEC_SCENARIO. Prints one JSON line per state change on stdout; exits 0 after Stop()
// or a clean close, 1 on a failed start or a close with an error, 127 when unsupported.
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

HttpTransportType? transport = transportName switch
{
    "" => null,
    "WebSockets" => HttpTransportType.WebSockets,
    "ServerSentEvents" => HttpTransportType.ServerSentEvents,
    "LongPolling" => HttpTransportType.LongPolling,
    _ => (HttpTransportType)0,
};
string? unsupported = transport == 0 ? $"unknown transport '{transportName}'"
    : protocol is not ("json" or "messagepack") ? $"unknown protocol '{protocol}'"
    : transport == HttpTransportType.ServerSentEvents && protocol == "messagepack"
        ? "Server-Sent Events carry text only; MessagePack needs the Binary transfer format" : null;
if (unsupported is not null)
{
    Emit("unsupported", new() { ["transport"] = transportName, ["protocol"] = protocol, ["reason"] = unsupported });
    return 127;
}

var builder = new HubConnectionBuilder()
    .WithUrl(url, transport ?? HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling)
    .WithAutomaticReconnect()
    .WithStatefulReconnect()
    .ConfigureLogging(logging => logging
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(LogLevel.Warning));
if (protocol == "messagepack") builder.AddMessagePackProtocol();
await using var connection = builder.Build();

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
connection.On("Stop", () =>
{
    stopping = true;
    _ = Task.Run(() => connection.StopAsync()); // StopAsync waits for this handler's loop to end
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
