namespace Hubspec.Interop.AspNetCore;

/// <summary>The peer's command line: where it listens and the timings tests shorten.</summary>
public sealed record PeerOptions
{
    public string ListenHost { get; init; } = "127.0.0.1";
    public int ListenPort { get; init; }
    public TimeSpan? KeepAliveInterval { get; init; }
    public TimeSpan? ClientTimeoutInterval { get; init; }
    public TimeSpan? HandshakeTimeout { get; init; }
    public long? MaximumReceiveMessageSize { get; init; }
    public bool DetailedErrors { get; init; }
    public TimeSpan? LongPollTimeout { get; init; }
    public long? StatefulReconnectBufferSize { get; init; }
    public TimeSpan? DisconnectTimeout { get; init; }
    public bool Verbose { get; init; }
    /// <summary>PEM certificate chain and key: Kestrel serves HTTPS only.</summary>
    public string? TlsCertificate { get; init; }
    public string? TlsKey { get; init; }
    /// <summary>Every hub requires a JWT (JwtBearer), issued by /token.</summary>
    public bool Jwt { get; init; }
    /// <summary>HOST:PORT of a Redis server: the hubs scale out over Microsoft's Redis backplane.</summary>
    public string? Redis { get; init; }
    /// <summary>The backplane's channel prefix (StackExchange.Redis ChannelPrefix).</summary>
    public string? RedisChannelPrefix { get; init; }

    public const string Usage =
        "usage: run [--listen HOST:PORT] [--keepalive-ms N] [--client-timeout-ms N] [--handshake-timeout-ms N]\n" +
        "           [--max-message-size BYTES] [--detailed-errors] [--long-poll-timeout-ms N]\n" +
        "           [--stateful-reconnect-buffer-size BYTES] [--disconnect-timeout-ms N] [--verbose]\n" +
        "           [--tls-cert FILE --tls-key FILE] [--jwt] [--redis HOST:PORT [--redis-channel-prefix P]]\n" +
        "Options not given keep ASP.NET Core's defaults. --listen defaults to 127.0.0.1:0 (a free port).";

    /// <summary>Parses the arguments; throws ArgumentException naming the bad option.</summary>
    public static PeerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PeerOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            TimeSpan Millis() => TimeSpan.FromMilliseconds(PositiveNumber(name, Value()));
            options = name switch
            {
                "--listen" => WithListen(options, Value()),
                "--keepalive-ms" => options with { KeepAliveInterval = Millis() },
                "--client-timeout-ms" => options with { ClientTimeoutInterval = Millis() },
                "--handshake-timeout-ms" => options with { HandshakeTimeout = Millis() },
                "--max-message-size" => options with { MaximumReceiveMessageSize = PositiveNumber(name, Value()) },
                "--detailed-errors" => options with { DetailedErrors = true },
                "--long-poll-timeout-ms" => options with { LongPollTimeout = Millis() },
                "--stateful-reconnect-buffer-size" => options with { StatefulReconnectBufferSize = PositiveNumber(name, Value()) },
                "--disconnect-timeout-ms" => options with { DisconnectTimeout = Millis() },
                "--verbose" => options with { Verbose = true },
                "--tls-cert" => options with { TlsCertificate = Value() },
                "--tls-key" => options with { TlsKey = Value() },
                "--jwt" => options with { Jwt = true },
                "--redis" => options with { Redis = Value() },
                "--redis-channel-prefix" => options with { RedisChannelPrefix = Value() },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        if ((options.TlsCertificate is null) != (options.TlsKey is null))
            throw new ArgumentException("--tls-cert and --tls-key go together");
        return options;
    }

    private static PeerOptions WithListen(PeerOptions options, string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new ArgumentException($"--listen wants HOST:PORT, got '{hostPort}'");
        return options with { ListenHost = hostPort[..colon], ListenPort = port };
    }

    private static long PositiveNumber(string name, string text) =>
        long.TryParse(text, out var n) && n > 0 ? n : throw new ArgumentException($"{name} wants a positive integer, got '{text}'");
}
