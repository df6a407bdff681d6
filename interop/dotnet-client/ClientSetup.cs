using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubspec.Interop.DotnetClient;

/// <summary>
/// Builds connections of Microsoft's .NET client the way both modes of this program need them
/// (the agent and the contract check): transport and protocol by name, logs on stderr only
/// (stdout carries JSON lines). The counterpart of interop/js/hub.mjs.
/// </summary>
public static class ClientSetup
{
    public const HttpTransportType AllTransports =
        HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;

    /// <summary>
    /// Why Microsoft's .NET client cannot run this transport × protocol (null when it can);
    /// <paramref name="transport"/> is null for "" (the client's own choice).
    /// </summary>
    public static string? UnsupportedReason(string transportName, string protocol, out HttpTransportType? transport)
    {
        transport = transportName switch
        {
            "" => null,
            "WebSockets" => HttpTransportType.WebSockets,
            "ServerSentEvents" => HttpTransportType.ServerSentEvents,
            "LongPolling" => HttpTransportType.LongPolling,
            _ => HttpTransportType.None,
        };
        if (transport == HttpTransportType.None) return $"unknown transport '{transportName}'";
        if (protocol is not ("json" or "messagepack")) return $"unknown protocol '{protocol}'";
        if (transport == HttpTransportType.ServerSentEvents && protocol == "messagepack")
            return "Server-Sent Events carry text only; MessagePack needs the Binary transfer format";
        return null;
    }

    /// <summary>A HubConnection (not started); <paramref name="http"/> sets headers, tokens…, <paramref name="hub"/> reconnect options.</summary>
    public static HubConnection Build(string url, HttpTransportType? transport, string protocol,
                                      Action<HttpConnectionOptions>? http = null, Action<IHubConnectionBuilder>? hub = null)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(url, transport ?? AllTransports, options => http?.Invoke(options))
            .ConfigureLogging(logging => logging
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(LogLevel.Warning));
        if (protocol == "messagepack") builder.AddMessagePackProtocol();
        hub?.Invoke(builder);
        return builder.Build();
    }
}
