namespace NetSentinel.Core.Output.Files;

/// <summary>An open log file that only grows: every <see cref="Append"/> reaches the file before it returns.</summary>
internal interface IAppendFile : IDisposable
{
    /// <summary>Size of the file when it was opened.</summary>
    long InitialLength { get; }

    void Append(ReadOnlySpan<byte> line);
}
