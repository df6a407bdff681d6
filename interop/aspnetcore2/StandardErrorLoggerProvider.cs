using Microsoft.Extensions.Logging;

namespace Hubspec.Interop.AspNetCore2;

/// <summary>One line per log entry on stderr: Logging.Console 2.x cannot leave stdout to the listening line.</summary>
public sealed class StandardErrorLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose() { }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                                Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"{logLevel}: {category}: {formatter(state, exception)}{(exception is null ? "" : $"\n{exception}")}");
    }
}
