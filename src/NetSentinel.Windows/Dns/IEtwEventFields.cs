namespace NetSentinel.Windows.Dns;

/// <summary>
/// One manifest-provider event as its header and named payload fields: TraceEvent's parsed event on Windows
/// (<see cref="TraceEventFields"/>, valid only inside its callback), a recorded payload in the tests, so the
/// dispatch from the session to <see cref="EtwDnsEventMapper"/> runs on Linux.
/// </summary>
internal interface IEtwEventFields
{
    Guid ProviderId { get; }

    int EventId { get; }

    /// <summary>The event header's process id.</summary>
    int ProcessId { get; }

    DateTimeOffset Timestamp { get; }

    /// <summary>The payload field of that name as the decoder typed it (string, UInt32, UInt64, ...); null when absent.</summary>
    object? Field(string name);
}
