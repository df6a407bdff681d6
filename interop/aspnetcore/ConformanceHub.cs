using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace Hubspec.Interop.AspNetCore;

/// <summary>
/// The conformance hub contract, version 1 (shared/spec/conformance-hub.md), method for method.
/// "Value" parameters are object?: JSON binds them to JsonElement and MessagePack to its primitive
/// object model, so both write them back unchanged (integers stay integers, binary stays binary);
/// values sent on to other connections, which may speak the other protocol, go through PortableValue.
/// The last region holds peer-test extras that are not part of the contract.
/// </summary>
public sealed class ConformanceHub(LiveConnections liveConnections) : Hub
{
    private const int MaxDelayMs = 60_000;
    private const string CancelCountKey = "hubspec.cancel-count";

    public override Task OnConnectedAsync()
    {
        Context.Items[CancelCountKey] = new StrongBox<int>(0);
        liveConnections.Add(Context);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        liveConnections.Remove(Context);
        return Task.CompletedTask;
    }

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

    // GetHttpContext() is the request that made the transport: the WebSocket upgrade, the SSE GET,
    // or (long polling) a copy of the first poll.
    public string? GetHeader(string name)
    {
        var values = Context.GetHttpContext()?.Request.Headers[name] ?? default;
        return values.Count == 0 ? null : values.ToString();
    }

    // ---- Server to client ----

    public Task EchoToCaller(object? value) => Clients.Caller.SendAsync("Echo", PortableValue.From(value));

    public Task Broadcast(object? value) => Clients.All.SendAsync("Broadcast", PortableValue.From(value));

    public Task SendToOthers(object? value) => Clients.Others.SendAsync("Broadcast", PortableValue.From(value));

    public Task SendToConnection(string connectionId, object? value) => Clients.Client(connectionId).SendAsync("Direct", PortableValue.From(value));

    public Task SendToUser(string user, object? value) => Clients.User(user).SendAsync("Direct", PortableValue.From(value));

    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.RemoveFromGroupAsync(Context.ConnectionId, group);

    public Task SendToGroup(string group, object? value) => Clients.Group(group).SendAsync("GroupMessage", group, PortableValue.From(value));

    public Task SendToOthersInGroup(string group, object? value) => Clients.OthersInGroup(group).SendAsync("GroupMessage", group, PortableValue.From(value));

    public Task ManyArgs(int n)
    {
        if (n is < 0 or > 10) throw new HubException($"ManyArgs takes n from 0 to 10, got {n}");
        return Clients.Caller.SendCoreAsync("ManyArgs", Enumerable.Range(0, n).Cast<object?>().ToArray());
    }

    public async Task<int> Sequence(int count)
    {
        for (var i = 0; i < count; i++) await Clients.Caller.SendAsync("Seq", i);
        return count;
    }

    // ---- Streaming ----

    public ChannelReader<int> Stream(int count, int delayMs, CancellationToken cancellation) =>
        Produce(i => i < count, delayMs, cancellation);

    public ChannelReader<int> EmptyStream() => Produce(_ => false, 0, CancellationToken.None);

    public ChannelReader<int> InfiniteStream(int delayMs, CancellationToken cancellation) =>
        Produce(_ => true, delayMs, cancellation);

    public ChannelReader<int> StreamThrowException(int count, string message, CancellationToken cancellation) =>
        Produce(i => i < count, 0, cancellation, () => new InvalidOperationException(message));

    public int GetCancelCount() => CancelCount.Value;

    public async Task<long> Sum(IAsyncEnumerable<long> stream)
    {
        long sum = 0;
        await foreach (var item in stream) sum += item;
        return sum;
    }

    public async Task<string> UploadConcat(IAsyncEnumerable<string> stream)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var item in stream) text.Append(item);
        return text.ToString();
    }

    public async IAsyncEnumerable<object?> StreamEcho(
        IAsyncEnumerable<object?> stream, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var counter = CancelCount;
        // Counts a cancellation by the client (CancelInvocation) while items were still flowing.
        // Disposed only when the upload ends on its own: on a cancel, the upload's wait (registered
        // later, so called first) may resume this iterator on another thread, and disposing here then
        // would unregister the count before the token gets to call it.
        var counting = cancellation.Register(() => Interlocked.Increment(ref counter.Value));
        await foreach (var item in stream.WithCancellation(cancellation)) yield return item;
        await counting.DisposeAsync();
    }

    // ---- Client results and connection control ----

    public Task<object?> ClientResult(string method, object? value) =>
        Clients.Caller.InvokeAsync<object?>(method, PortableValue.From(value), Context.ConnectionAborted);

    public void Abort() => Context.Abort();

    // ---- Peer-test extras (not in the contract): let a test drive a client agent through the hub ----

    /// <summary>What an agent's Echo handler calls: every other connection gets EchoReply(agentId, value).</summary>
    public Task EchoReply(object? value) => Clients.Others.SendAsync("EchoReply", Context.ConnectionId, PortableValue.From(value));

    /// <summary>Sends connection <paramref name="connectionId"/> the invocation method(arguments…).</summary>
    public Task SendMethodToConnection(string connectionId, string method, object?[] arguments) =>
        Clients.Client(connectionId).SendCoreAsync(method, arguments.Select(PortableValue.From).ToArray());

    /// <summary>Asks connection <paramref name="connectionId"/> for a client result and returns it.</summary>
    public async Task<object?> ClientResultFromConnection(string connectionId, string method, object? value) =>
        PortableValue.From(await Clients.Client(connectionId).InvokeAsync<object?>(method, PortableValue.From(value), Context.ConnectionAborted));

    /// <summary>Adds another connection, perhaps on another node (--redis: a group command), to a group.</summary>
    public Task AddConnectionToGroup(string connectionId, string group) => Groups.AddToGroupAsync(connectionId, group);

    /// <summary>Removes another connection, perhaps on another node, from a group.</summary>
    public Task RemoveConnectionFromGroup(string connectionId, string group) =>
        Groups.RemoveFromGroupAsync(connectionId, group);

    /// <summary>Ends another connection exactly as its own Context.Abort() would.</summary>
    public bool AbortConnection(string connectionId) => liveConnections.Abort(connectionId);

    private StrongBox<int> CancelCount => (StrongBox<int>)Context.Items[CancelCountKey]!;

    // Writes 0, 1, … while more(i), one every delayMs; counts it when the client cancels midway.
    // The count is taken in the token's callback, which runs when the server processes the
    // CancelInvocation, so a later GetCancelCount on the same connection always sees it.
    private ChannelReader<int> Produce(Func<int, bool> more, int delayMs, CancellationToken cancellation,
                                       Func<Exception>? failure = null)
    {
        var channel = Channel.CreateUnbounded<int>();
        var counter = CancelCount;
        var counting = cancellation.Register(() => Interlocked.Increment(ref counter.Value));
        _ = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; more(i); i++)
                {
                    if (delayMs > 0) await Task.Delay(delayMs, cancellation);
                    cancellation.ThrowIfCancellationRequested();
                    await channel.Writer.WriteAsync(i, cancellation);
                }
                await counting.DisposeAsync(); // ended on its own: a later cancel is not counted
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
