using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace Hubspec.Interop.AspNetCore2;

/// <summary>
/// The conformance hub contract (shared/spec/conformance-hub.md) as far as ASP.NET Core 2.x can serve it.
/// 2.x speaks JSON only (Newtonsoft: a "Value" binds to JToken and is written back as it came); a hub
/// method cannot take a CancellationToken, an upload stream or ask a client for a result, so
/// GetCancelCount, Sum, UploadConcat, StreamEcho and ClientResult are absent, and the harness skips
/// what needs them.
/// </summary>
public sealed class ConformanceHub : Hub
{
    private const int MaxDelayMs = 60_000;

    // ---- Invocation and results ----

    public object? Echo(object? value) => value;

    public string HelloWorld() => "Hello World!";

    public void VoidMethod() { }

    public int Add(int a, int b) => a + b;

    public void ThrowException(string message) => throw new InvalidOperationException(message);

    public void ThrowHubException(string message) => throw new HubException(message);

    public async Task<int> Delay(int ms)
    {
        await Task.Delay(Math.Clamp(ms, 0, MaxDelayMs), Context.ConnectionAborted);
        return ms;
    }

    public string GetCallerConnectionId() => Context.ConnectionId;

    public string? GetActiveTransportName() => Context.Features.Get<IHttpTransportFeature>()?.TransportType switch
    {
        HttpTransportType.WebSockets => "WebSockets",
        HttpTransportType.ServerSentEvents => "ServerSentEvents",
        HttpTransportType.LongPolling => "LongPolling",
        _ => null,
    };

    public string? GetUserIdentifier() => Context.UserIdentifier;

    public string? GetHeader(string name)
    {
        var values = Context.GetHttpContext()?.Request.Headers[name] ?? default;
        return values.Count == 0 ? null : values.ToString();
    }

    // ---- Server to client ----

    public Task EchoToCaller(object? value) => Clients.Caller.SendAsync("Echo", value);

    public Task Broadcast(object? value) => Clients.All.SendAsync("Broadcast", value);

    public Task SendToOthers(object? value) => Clients.Others.SendAsync("Broadcast", value);

    public Task SendToConnection(string connectionId, object? value) => Clients.Client(connectionId).SendAsync("Direct", value);

    public Task SendToUser(string user, object? value) => Clients.User(user).SendAsync("Direct", value);

    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.RemoveFromGroupAsync(Context.ConnectionId, group);

    public Task SendToGroup(string group, object? value) => Clients.Group(group).SendAsync("GroupMessage", group, value);

    public Task SendToOthersInGroup(string group, object? value) =>
        Clients.OthersInGroup(group).SendAsync("GroupMessage", group, value);

    public Task ManyArgs(int n)
    {
        if (n is < 0 or > 10) throw new HubException($"ManyArgs takes n from 0 to 10, got {n}");
        return Clients.Caller.SendCoreAsync("ManyArgs", Enumerable.Range(0, n).Cast<object>().ToArray());
    }

    public async Task<int> Sequence(int count)
    {
        for (var i = 0; i < count; i++) await Clients.Caller.SendAsync("Seq", i);
        return count;
    }

    // ---- Streaming (server to client only) ----

    public ChannelReader<int> Stream(int count, int delayMs) => Produce(i => i < count, delayMs);

    public ChannelReader<int> EmptyStream() => Produce(_ => false, 0);

    public ChannelReader<int> InfiniteStream(int delayMs) => Produce(_ => true, delayMs);

    public ChannelReader<int> StreamThrowException(int count, string message) =>
        Produce(i => i < count, 0, () => new InvalidOperationException(message));

    // ---- Connection control ----

    public void Abort() => Context.Abort();

    // ---- Peer-test extras (not in the contract), as interop/aspnetcore has them: scripts/matrix drives
    // a client agent through them. 2.x has no client results, so no ClientResultFromConnection. ----

    /// <summary>What an agent's Echo handler calls: every other connection gets EchoReply(agentId, value).</summary>
    public Task EchoReply(object? value) => Clients.Others.SendAsync("EchoReply", Context.ConnectionId, value);

    /// <summary>Sends connection <paramref name="connectionId"/> the invocation method(arguments…).</summary>
    public Task SendMethodToConnection(string connectionId, string method, object?[] arguments) =>
        Clients.Client(connectionId).SendCoreAsync(method, arguments);

    // Writes 0, 1, … while more(i), one every delayMs. A 2.x hub never learns that the client cancelled:
    // the server just stops reading, so the channel holds one item and the writer waits until the
    // connection ends.
    private ChannelReader<int> Produce(Func<int, bool> more, int delayMs, Func<Exception>? failure = null)
    {
        var channel = Channel.CreateBounded<int>(1);
        var connectionEnded = Context.ConnectionAborted;
        _ = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; more(i); i++)
                {
                    if (delayMs > 0) await Task.Delay(delayMs, connectionEnded);
                    await channel.Writer.WriteAsync(i, connectionEnded);
                }
                channel.Writer.TryComplete(failure?.Invoke());
            }
            catch (OperationCanceledException)
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);
        return channel.Reader;
    }
}
