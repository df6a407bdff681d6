// The ASP.NET Core 2.x interop peer: Microsoft.AspNetCore.SignalR 1.2.14 (the SignalR of ASP.NET Core
// 2.x) on Kestrel 2.3, run on .NET 10, serving the conformance hub contract as far as 2.x can (README.md).
// Every SignalR and transport option keeps its default. First stdout line: "listening on http://HOST:PORT".
using System.Net;
using Hubspec.Interop.AspNetCore2;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var listen = args.Length == 2 && args[0] == "--listen" ? args[1] : args.Length == 0 ? "127.0.0.1:0" : null;
var colon = listen?.LastIndexOf(':') ?? -1;
if (listen is null || colon <= 0 || !IPAddress.TryParse(listen[..colon], out var address)
    || !int.TryParse(listen[(colon + 1)..], out var port) || port is < 0 or > 65535)
{
    Console.Error.WriteLine("usage: hubspec-aspnetcore2-peer [--listen IP:PORT]   (default 127.0.0.1:0, a free port)");
    return 2;
}

const string TokenPolicy = "hubspec-token";
var host = new WebHostBuilder()
    .UseKestrel(kestrel => kestrel.Listen(address, port))
    // stdout carries only the listening line; warnings and errors go to stderr.
    .ConfigureLogging(logging => logging.AddProvider(new StandardErrorLoggerProvider()).SetMinimumLevel(LogLevel.Warning))
    .ConfigureServices(services =>
    {
        services.AddSingleton<TokenIssuer>();
        services.AddAuthentication(HubspecTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HubspecTokenHandler>(HubspecTokenHandler.SchemeName, null);
        services.AddAuthorization(authorization => authorization.AddPolicy(TokenPolicy, policy =>
            policy.AddAuthenticationSchemes(HubspecTokenHandler.SchemeName).RequireAuthenticatedUser()));
        services.AddSignalR();
    })
    .Configure(app =>
    {
        app.UseAuthentication();
        app.UseSignalR(routes =>
        {
            routes.MapHub<ConformanceHub>("/conformance");
            routes.MapHub<ConformanceHub>("/conformance-nows",
                dispatcher => dispatcher.Transports = HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling);
            routes.MapHub<ConformanceHub>("/conformance-auth",
                dispatcher => dispatcher.AuthorizationData.Add(new AuthorizeAttribute(TokenPolicy)));
            routes.MapHub<ChatHub>("/chat");
        });
        app.Map("/token", token => token.Run(async context =>
        {
            var user = context.Request.Query["user"].ToString();
            var issuer = context.RequestServices.GetRequiredService<TokenIssuer>();
            context.Response.StatusCode = user.Length == 0 ? 400 : 200;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(user.Length == 0 ? "user is required" : issuer.Issue(user));
        }));
        // A negotiate redirect (NEG-018): the client negotiates again at /conformance-auth with this token.
        app.Map("/redirect/negotiate", redirect => redirect.Run(async context =>
        {
            var issuer = context.RequestServices.GetRequiredService<TokenIssuer>();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new Newtonsoft.Json.Linq.JObject
            {
                ["url"] = $"{context.Request.Scheme}://{context.Request.Host}/conformance-auth",
                ["accessToken"] = issuer.Issue("redirected"),
            }.ToString(Newtonsoft.Json.Formatting.None));
        }));
    })
    .Build();

await host.StartAsync();
var bound = new Uri(host.ServerFeatures.Get<IServerAddressesFeature>()!.Addresses.First());
Console.Out.WriteLine($"listening on http://{address}:{bound.Port}");
Console.Out.Flush();
await host.WaitForShutdownAsync();
return 0;
