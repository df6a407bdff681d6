using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace Hubspec.Interop.StockApp;

/// <summary>
/// The conformance hub contract (shared/spec/conformance-hub.md) written the way a typical user writes a
/// hub: "Value" parameters are plain <c>object</c>, passed on as bound (JsonElement or JObject from JSON,
/// the MessagePack object model from MessagePack) with no conversion between protocols, streams are
/// IAsyncEnumerable. Unlike ../aspnetcore it has no peer-test extras and no cross-protocol value fix-up:
/// what such a hub does on the wire is the finding.
/// </summary>
public sealed class PlainHub : Hub
{
    private const string CancelCountKey = "cancel-count";

    public override Task OnConnectedAsync()
    {
        Context.Items[CancelCountKey] = new StrongBox<int>(0);
        return Task.CompletedTask;
    }

    // ---- Invocation and results ----

    public object Echo(object value) => value;

    public string HelloWorld() => "Hello World!";

    public void VoidMethod() { }

    public int Add(int a, int b) => a + b;

    public void ThrowException(string message) => throw new InvalidOperationException(message);

    public void ThrowHubException(string message) => throw new HubException(message);

    public async Task<int> Delay(int ms)
    {
        await Task.Delay(Math.Clamp(ms, 0, 60_000), Context.ConnectionAborted);
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

    public Task EchoToCaller(object value) => Clients.Caller.SendAsync("Echo", value);

    public Task Broadcast(object value) => Clients.All.SendAsync("Broadcast", value);

    public Task SendToOthers(object value) => Clients.Others.SendAsync("Broadcast", value);

    public Task SendToConnection(string connectionId, object value) => Clients.Client(connectionId).SendAsync("Direct", value);

    public Task SendToUser(string user, object value) => Clients.User(user).SendAsync("Direct", value);

    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task LeaveGroup(string group) => Groups.RemoveFromGroupAsync(Context.ConnectionId, group);

    public Task SendToGroup(string group, object value) => Clients.Group(group).SendAsync("GroupMessage", group, value);

    public Task SendToOthersInGroup(string group, object value) =>
        Clients.OthersInGroup(group).SendAsync("GroupMessage", group, value);

    public Task ManyArgs(int n) => Clients.Caller.SendCoreAsync("ManyArgs", Enumerable.Range(0, n).Cast<object>().ToArray());

    public async Task<int> Sequence(int count)
    {
        for (var i = 0; i < count; i++) await Clients.Caller.SendAsync("Seq", i);
        return count;
    }

    // ---- Streaming ----

    public async IAsyncEnumerable<int> Stream(int count, int delayMs, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var counting = CountCancel(cancellation);
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(delayMs, cancellation);
            yield return i;
        }
        await counting.DisposeAsync(); // ended on its own: a later cancel is not counted
    }

    public async IAsyncEnumerable<int> EmptyStream()
    {
        await Task.CompletedTask;
        yield break;
    }

    public async IAsyncEnumerable<int> InfiniteStream(int delayMs, [EnumeratorCancellation] CancellationToken cancellation)
    {
        CountCancel(cancellation);
        for (var i = 0; ; i++)
        {
            await Task.Delay(delayMs, cancellation);
            yield return i;
        }
    }

    public async IAsyncEnumerable<int> StreamThrowException(int count, string message)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
        throw new InvalidOperationException(message);
    }

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

    public async IAsyncEnumerable<object> StreamEcho(IAsyncEnumerable<object> stream,
                                                     [EnumeratorCancellation] CancellationToken cancellation)
    {
        var counting = CountCancel(cancellation);
        await foreach (var item in stream.WithCancellation(cancellation)) yield return item;
        await counting.DisposeAsync();
    }

    // ---- Client results and connection control ----

    public Task<object> ClientResult(string method, object value) =>
        Clients.Caller.InvokeAsync<object>(method, value, Context.ConnectionAborted);

    public void Abort() => Context.Abort();

    private StrongBox<int> CancelCount => (StrongBox<int>)Context.Items[CancelCountKey]!;

    // Counts the client's cancel (CancelInvocation) of a stream that is still running. Disposed only when the
    // stream ends on its own: on a cancel, a `using` could unregister it before the token calls it.
    private CancellationTokenRegistration CountCancel(CancellationToken cancellation)
    {
        var counter = CancelCount;
        return cancellation.Register(() => Interlocked.Increment(ref counter.Value));
    }
}
