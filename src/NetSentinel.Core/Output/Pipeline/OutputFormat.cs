namespace NetSentinel.Core.Output.Pipeline;

/// <summary>How a line is laid out for one output. The JSON line itself is formatted once for all.</summary>
public enum OutputFormat
{
    /// <summary>The ECS JSON line (docs/jsonl-schema.md).</summary>
    Json,

    /// <summary>The short human line the console shows without --json.</summary>
    Text,

    /// <summary>An RFC 5424 syslog header followed by the JSON line as the message.</summary>
    Syslog,
}
