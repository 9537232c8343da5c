namespace NetSentinel.Core.Configuration;

/// <summary>An input file cannot be read; the message is one line: <c>cannot read &lt;what&gt; '&lt;path&gt;': why</c>.</summary>
public sealed class InputFileException(string message, Exception? inner = null) : IOException(message, inner);
