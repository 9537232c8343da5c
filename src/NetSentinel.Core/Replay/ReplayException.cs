namespace NetSentinel.Core.Replay;

/// <summary>A log line replay cannot use; the message is one line: <c>file:line: what is wrong</c>.</summary>
public sealed class ReplayException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}
