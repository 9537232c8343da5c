using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>Builds connection events for one process with little ceremony.</summary>
internal sealed class SyntheticEvents(ManualClock clock, ProcessInfo process)
{
    private static ulong s_nextId = 1;

    public static ProcessInfo Process(int pid, string name = "python3", string? executable = "/usr/bin/python3") =>
        new() { Pid = pid, Name = name, Executable = executable, IdentifiedBy = AttributionSource.Kernel };

    public static IPEndPoint Endpoint(string address, int port) => new(IPAddress.Parse(address), port);

    public ProcessInfo Owner => process;

    public ConnectionEvent Opened(string remote = "198.51.100.2", int port = 443, Transport transport = Transport.Tcp,
        int localPort = 40000, string local = "198.51.100.1", ulong? id = null) => new()
        {
            Kind = ConnectionEventKind.Opened,
            Timestamp = clock.Now,
            ConnectionId = id ?? Interlocked.Increment(ref s_nextId),
            Transport = transport,
            Local = Endpoint(local, localPort),
            Remote = Endpoint(remote, port),
            Process = process,
        };

    public ConnectionEvent Traffic(ConnectionEvent opened, long sent, long received = 0) => opened with
    {
        Kind = ConnectionEventKind.Traffic,
        Timestamp = clock.Now,
        BytesSent = sent,
        BytesReceived = received,
    };

    public ConnectionEvent Closed(ConnectionEvent opened, bool failed = false, long sentTotal = 0) => opened with
    {
        Kind = ConnectionEventKind.Closed,
        Timestamp = clock.Now,
        Failed = failed,
        BytesSent = sentTotal,
        Duration = TimeSpan.FromSeconds(1),
    };
}
