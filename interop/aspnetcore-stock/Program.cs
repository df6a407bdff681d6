// A stock ASP.NET Core 10 app, as a user writes one from the SignalR tutorial: WebApplication.CreateBuilder,
// AddSignalR with every option at its default but MaximumParallelInvocationsPerClient = 4, MessagePack added,
// a plain hub (PlainHub.cs). `--json newtonsoft` swaps System.Text.Json for the Newtonsoft.Json hub protocol
// package (both are named "json", so one app serves one of them; the Newtonsoft endpoint is a second process).
// First stdout line: "listening on http://HOST:PORT"; the app's logs go to stderr.
using Hubspec.Interop.StockApp;

var listen = "127.0.0.1:0";
var newtonsoft = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--listen" when i + 1 < args.Length: listen = args[++i]; break;
        case "--json" when i + 1 < args.Length && args[i + 1] is "newtonsoft" or "system-text-json":
            newtonsoft = args[++i] == "newtonsoft";
            break;
        default:
            Console.Error.WriteLine("usage: hubspec-stock-app-peer [--listen IP:PORT] [--json system-text-json|newtonsoft]");
            return 2;
    }
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [$"--urls=http://{listen}"] });
builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var signalR = builder.Services.AddSignalR(hub => hub.MaximumParallelInvocationsPerClient = 4).AddMessagePackProtocol();
if (newtonsoft) signalR.AddNewtonsoftJsonProtocol();

var app = builder.Build();
app.MapHub<PlainHub>("/conformance");
app.MapHub<ChatHub>("/chat");

await app.StartAsync();
var bound = new Uri(app.Urls.First());
Console.Out.WriteLine($"listening on http://{bound.Host}:{bound.Port}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
