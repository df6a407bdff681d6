// The cases of bench/codec_bench.cpp on Microsoft's JsonHubProtocol and
// MessagePackHubProtocol: warm up, then loop for a fixed time; print ns/message,
// MB/s and bytes allocated per message, in the same columns.
//
//   bench/dotnet/run [--seconds S] [--filter TEXT]

using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

double seconds = 0.5;
string? filter = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds" && i + 1 < args.Length) seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else if (args[i] == "--filter" && i + 1 < args.Length) filter = args[++i];
    else { Console.Error.WriteLine("usage: hubspec-dotnet-codec-bench [--seconds S] [--filter TEXT]"); return 2; }
}

var cases = new (string Name, HubMessage Message, Type[] Parameters)[]
{
    ("NoArguments", new InvocationMessage("Target", Array.Empty<object>()), Array.Empty<Type>()),
    ("FewArguments", new InvocationMessage("Target", new object[] { 1, "Foo", 2.0f }), new[] { typeof(int), typeof(string), typeof(float) }),
    ("ManyArguments", new InvocationMessage("Target", new object[] { 1, "string", 2.0f, true, (byte)9, new byte[] { 5, 4, 3, 2, 1 }, 'c', 123456789101112L }),
        new[] { typeof(int), typeof(string), typeof(float), typeof(bool), typeof(byte), typeof(byte[]), typeof(char), typeof(long) }),
    ("LargeArguments", new InvocationMessage("Target", new object[] { new string('F', 10240), new byte[10240] }), new[] { typeof(string), typeof(byte[]) }),
    ("Completion", CompletionMessage.WithResult("123", 42), Array.Empty<Type>()),
    ("StreamItem", new StreamItemMessage("123", "item text"), Array.Empty<Type>()),
    ("Ping", PingMessage.Instance, Array.Empty<Type>()),
};

var protocols = new (string Name, IHubProtocol Protocol)[]
{
    ("json", new JsonHubProtocol()),
    ("messagepack", new MessagePackHubProtocol()),
};

Console.WriteLine($"{"protocol",-12} {"message",-15} {"op",-6} {"bytes",8} {"ns/message",12} {"MB/s",10} {"alloc B/msg",12}");
foreach (var (protocolName, protocol) in protocols)
{
    foreach (var (name, message, parameters) in cases)
    {
        if (filter != null && !$"{protocolName} {name}".Contains(filter)) continue;
        var framed = protocol.GetMessageBytes(message);
        var binder = new FixedBinder(parameters);
        var writer = new ArrayBufferWriter<byte>(framed.Length * 2);

        var write = Measure(() =>
        {
            writer.ResetWrittenCount(); // keeps its buffer: the steady state of a connection's writer
            protocol.WriteMessage(message, writer);
        }, framed.Length, seconds);
        var read = Measure(() =>
        {
            var input = new ReadOnlySequence<byte>(framed);
            if (!protocol.TryParseMessage(ref input, binder, out _)) throw new InvalidOperationException("Failed to read message");
        }, framed.Length, seconds);

        foreach (var (op, f) in new[] { ("write", write), ("read", read) })
        {
            Console.WriteLine($"{protocolName,-12} {name,-15} {op,-6} {framed.Length,8} {f.NsPerMessage,12:F1} {f.MegabytesPerSecond,10:F1} {f.BytesAllocatedPerMessage,12:F1}");
        }
    }
}
return 0;

static (double NsPerMessage, double MegabytesPerSecond, double BytesAllocatedPerMessage) Measure(Action operation, int bytesPerMessage, double seconds)
{
    for (var i = 0; i < 20000; i++) operation(); // warm up: let tiered JIT reach its optimised code
    long iterations = 0;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var stopwatch = Stopwatch.StartNew();
    var limit = TimeSpan.FromSeconds(seconds);
    while (stopwatch.Elapsed < limit)
    {
        for (var i = 0; i < 256; i++) operation();
        iterations += 256;
    }
    stopwatch.Stop();
    var perMessage = stopwatch.Elapsed.TotalNanoseconds / iterations;
    return (perMessage, bytesPerMessage / perMessage * 1e3, (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)iterations);
}

/// Answers the reader's type questions the way a hub with these methods would.
sealed class FixedBinder(Type[] parameters) : IInvocationBinder
{
    public IReadOnlyList<Type> GetParameterTypes(string methodName) => parameters;
    public Type GetReturnType(string invocationId) => typeof(int);
    public Type GetStreamItemType(string streamId) => typeof(string);
}
