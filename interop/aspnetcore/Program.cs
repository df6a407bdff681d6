// The ASP.NET Core interop peer: Microsoft's own SignalR server serving the conformance hub
// contract, started by ./run. Its first stdout line is "listening on http://HOST:PORT" (https://
// with --tls-cert).
using Hubspec.Interop.AspNetCore;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

PeerOptions options;
try
{
    options = PeerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"hubspec-aspnetcore-peer: {e.Message}\n{PeerOptions.Usage}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
// stdout carries only the listening line; logs go to stderr.
builder.Logging.ClearProviders();
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Debug : LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    if (!System.Net.IPAddress.TryParse(options.ListenHost, out var address))
        address = System.Net.IPAddress.Loopback;
    kestrel.Listen(address, options.ListenPort, listen =>
    {
        if (options.TlsCertificate is { } certificate)
            listen.UseHttps(X509Certificate2.CreateFromPemFile(certificate, options.TlsKey));
    });
});

// Keys live in memory only: nothing is written to the home folder, and nothing needs to survive a restart.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
builder.Services.AddSingleton<LiveConnections>();
// Tokens: the contract's own (/conformance-auth only), or with --jwt, JWTs that every hub requires.
var jwt = options.Jwt ? new JwtIssuer() : null;
var authScheme = jwt is null ? HubspecTokenHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme;
if (jwt is null)
{
    builder.Services.AddSingleton<TokenIssuer>();
    builder.Services.AddSingleton<ITokenIssuer>(services => services.GetRequiredService<TokenIssuer>());
    builder.Services.AddAuthentication(authScheme)
        .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HubspecTokenHandler>(authScheme, null);
}
else
{
    builder.Services.AddSingleton<ITokenIssuer>(jwt);
    builder.Services.AddAuthentication(authScheme).AddJwtBearer(jwt.Configure);
}
builder.Services.AddAuthorization();
if (options.DisconnectTimeout is { } disconnectTimeout)
    builder.Services.Configure<ConnectionOptions>(o => o.DisconnectTimeout = disconnectTimeout);
var signalr = builder.Services.AddSignalR(hub =>
    {
        if (options.KeepAliveInterval is { } keepAlive) hub.KeepAliveInterval = keepAlive;
        if (options.ClientTimeoutInterval is { } clientTimeout) hub.ClientTimeoutInterval = clientTimeout;
        if (options.HandshakeTimeout is { } handshakeTimeout) hub.HandshakeTimeout = handshakeTimeout;
        if (options.MaximumReceiveMessageSize is { } maxSize) hub.MaximumReceiveMessageSize = maxSize;
        if (options.StatefulReconnectBufferSize is { } bufferSize) hub.StatefulReconnectBufferSize = bufferSize;
        hub.EnableDetailedErrors = options.DetailedErrors;
    })
    .AddMessagePackProtocol();
if (options.Redis is { } redis)
    signalr.AddStackExchangeRedis(redis, backplane =>
    {
        if (options.RedisChannelPrefix is { } prefix)
            backplane.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(prefix);
    });

var app = builder.Build();
app.UseWebSockets();
app.UseAuthentication();
app.UseAuthorization();

void ConfigureTransports(HttpConnectionDispatcherOptions dispatcher, HttpTransportType transports, bool statefulReconnect)
{
    dispatcher.Transports = transports;
    dispatcher.AllowStatefulReconnects = statefulReconnect;
    if (options.LongPollTimeout is { } pollTimeout) dispatcher.LongPolling.PollTimeout = pollTimeout;
}

void RequireToken(IEndpointConventionBuilder hub) =>
    hub.RequireAuthorization(policy => policy.AddAuthenticationSchemes(authScheme).RequireAuthenticatedUser());
// With --jwt every hub wants a token; without, only /conformance-auth.
void Protect(IEndpointConventionBuilder hub)
{
    if (jwt is not null) RequireToken(hub);
}

const HttpTransportType AllTransports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
Protect(app.MapHub<ConformanceHub>("/conformance", d => ConfigureTransports(d, AllTransports, statefulReconnect: true)));
Protect(app.MapHub<ConformanceHub>("/conformance-nows",
    d => ConfigureTransports(d, HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling, statefulReconnect: false)));
RequireToken(app.MapHub<ConformanceHub>("/conformance-auth", d => ConfigureTransports(d, AllTransports, statefulReconnect: false)));
Protect(app.MapHub<ChatHub>("/chat", d => ConfigureTransports(d, AllTransports, statefulReconnect: false)));

// ?expired=true (--jwt only): a token that expired an hour ago, for the expired-token check.
app.MapGet("/token", (string? user, bool? expired, ITokenIssuer issuer) =>
    string.IsNullOrEmpty(user) ? Results.BadRequest("user is required")
    : expired != true ? Results.Text(issuer.Issue(user))
    : issuer is JwtIssuer jwtIssuer ? Results.Text(jwtIssuer.IssueExpired(user))
    : Results.BadRequest("expired tokens need --jwt"));

// A negotiate redirect (NEG-018): the client negotiates again at /conformance-auth with this token.
app.MapPost("/redirect/negotiate", (HttpRequest request, ITokenIssuer issuer) => Results.Json(new
{
    url = $"{request.Scheme}://{request.Host}/conformance-auth",
    accessToken = issuer.Issue("redirected"),
}));

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var port = new Uri(address).Port;
Console.Out.WriteLine($"listening on {(options.TlsCertificate is null ? "http" : "https")}://{options.ListenHost}:{port}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
