namespace NetSentinel.Core.Configuration;

/// <summary>
/// A configuration file that cannot be used. <see cref="Exception.Message"/> is one line meant for
/// the user as is — <c>file:line: what is wrong — what to do</c> — so callers print it and exit 2,
/// never a stack trace.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigException(string message, string? filePath, int? line, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The configuration file as the user named it, when known.</summary>
    public string? FilePath { get; }

    /// <summary>1-based line of the first problem; null when the problem is the file itself.</summary>
    public int? Line { get; }
}
