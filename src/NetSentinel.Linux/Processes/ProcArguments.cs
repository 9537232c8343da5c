namespace NetSentinel.Linux.Processes;

/// <summary>A process's argv read from /proc, cut where the eBPF source cuts it (<see cref="Truncated"/> then).</summary>
public sealed record ProcArguments(IReadOnlyList<string> Args, string CommandLine, bool Truncated);
