using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Hubspec.Interop.AspNetCore;

/// <summary>The conformance hub's open connections by id, so that one connection can abort another.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _byId = new();

    public void Add(HubCallerContext context) => _byId[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _byId.TryRemove(context.ConnectionId, out _);

    public bool Abort(string connectionId)
    {
        if (!_byId.TryGetValue(connectionId, out var context)) return false;
        context.Abort();
        return true;
    }
}
