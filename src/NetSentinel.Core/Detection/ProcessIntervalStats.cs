using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>One process's line in the interval summary the CLI displays.</summary>
public sealed record ProcessIntervalStats(
    ProcessInfo Process,
    long BytesSent,
    long BytesReceived,
    double BytesSentPerSecond,
    double BytesReceivedPerSecond,
    int OpenConnections,
    int PeakOpenConnections,
    int Attempts,
    int Failures)
{
    public int Pid => Process.Pid;
    public string Name => Process.Name;
}
