using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Snapshot;

namespace NetSentinel.Linux.Tests.Snapshot;

/// <summary>Finding the sockets a test made in a whole-host snapshot.</summary>
internal static class SnapshotQueries
{
    public static ConnectionRecord Find(IReadOnlyList<ConnectionRecord> records, Transport transport, EndPoint local, EndPoint remote) =>
        records.Single(r => r.Transport == transport && r.Local.Equals(local) && r.Remote.Equals(remote));

    /// <summary>Captures until <paramref name="done"/> holds for the record (counters lag the data by an ACK), at most 5 s.</summary>
    public static ConnectionRecord CaptureUntil(LinuxSnapshotProvider provider, Transport transport, EndPoint local, EndPoint remote, Func<ConnectionRecord, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ConnectionRecord record = Find(provider.Capture(), transport, local, remote);
            if (done(record) || clock.Elapsed > TimeSpan.FromSeconds(5)) return record;
            Thread.Sleep(20);
        }
    }
}
