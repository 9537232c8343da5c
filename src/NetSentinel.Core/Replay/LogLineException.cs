using NetSentinel.Core.Output.Schema;

namespace NetSentinel.Core.Replay;

/// <summary>What is wrong with one log line, and in which field (null when the line as a whole is wrong).</summary>
public sealed class LogLineException(LogField? field, string problem) : Exception(field is null ? problem : $"{field.Path}: {problem}")
{
    public LogField? Field { get; } = field;
}
