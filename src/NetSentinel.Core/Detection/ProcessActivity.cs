using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>One process's figures for the interval that is running, plus the connections it holds across intervals.</summary>
public sealed class ProcessActivity
{
    internal ProcessActivity(ProcessInfo process) => Process = process;

    /// <summary>The latest identity seen for the pid (a later event may carry a better executable path).</summary>
    public ProcessInfo Process { get; internal set; }
    public int Pid => Process.Pid;
    public long BytesSent { get; internal set; }
    public long BytesReceived { get; internal set; }
    /// <summary>Outbound TCP connections open right now.</summary>
    public int OpenConnections { get; internal set; }
    /// <summary>The most outbound TCP connections open at one time during the interval.</summary>
    public int PeakOpenConnections { get; internal set; }
    /// <summary>TCP connects started in the interval (successful or not).</summary>
    public int Attempts { get; internal set; }
    /// <summary>TCP connects in the interval whose handshake never completed.</summary>
    public int Failures { get; internal set; }

    /// <summary>Starts the next interval: counters to zero, the peak to what is still open.</summary>
    internal void StartInterval()
    {
        BytesSent = 0;
        BytesReceived = 0;
        Attempts = 0;
        Failures = 0;
        PeakOpenConnections = OpenConnections;
    }
}
