using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// Turns decoded IP Helper rows into snapshot records: direction, state name, a stable socket id, the owner.
/// The tables carry no byte counters (GetPerTcpConnectionEStats would, but only after enabling
/// collection per connection), so BytesSent/BytesReceived stay -1 (unknown).
/// </summary>
internal static class IpHelperRecordBuilder
{
    public static List<ConnectionRecord> Build(IReadOnlyList<IpHelperSocketRow> rows, IProcessInfoResolver processes)
    {
        // An accepted connection keeps its listener's local endpoint: knowing every listener tells inbound from outbound.
        var listeners = new TcpListeners();
        foreach (var row in rows)
            if (row.Transport == Transport.Tcp && row.TcpState == IpHelperTcpState.Listen) listeners.Add(row.Local);

        var owners = new Dictionary<int, ProcessInfo>();
        var records = new List<ConnectionRecord>(rows.Count);
        foreach (var row in rows)
        {
            if (!owners.TryGetValue(row.ProcessId, out var owner))
            {
                // Pid 0 is the idle process, which owns sockets in TIME_WAIT: nobody to blame.
                owner = row.ProcessId == 0 ? ProcessInfo.Unknown : processes.Resolve(row.ProcessId) with { IdentifiedBy = AttributionSource.IpHelper };
                owners[row.ProcessId] = owner;
            }
            records.Add(new ConnectionRecord
            {
                Transport = row.Transport,
                Local = row.Local,
                Remote = row.Remote,
                State = row.Transport == Transport.Udp ? "UNCONN" : IpHelperTcpState.Name(row.TcpState),
                Direction = DirectionOf(row, listeners),
                SocketId = SocketIdOf(row),
                Process = owner,
            });
        }
        return records;
    }

    private static Direction DirectionOf(IpHelperSocketRow row, TcpListeners listeners)
    {
        // The UDP tables list bound sockets only: there is no peer to be outbound to.
        if (row.Transport == Transport.Udp || row.TcpState == IpHelperTcpState.Listen) return Direction.Listening;
        return listeners.Accepted(row.Local) ? Direction.Inbound : Direction.Outbound;
    }

    /// <summary>
    /// Windows exposes no socket inode: the 4-tuple, transport and owner identify a socket while it lives.
    /// FNV-1a over those bytes gives the same id in every snapshot (string.GetHashCode is randomized per process).
    /// Never 0, which the polling source reads as "no id".
    /// </summary>
    public static ulong SocketIdOf(IpHelperSocketRow row)
    {
        ulong hash = 14695981039346656037UL;
        void Mix(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes) { hash ^= b; hash *= 1099511628211UL; }
        }
        Span<byte> scratch = stackalloc byte[16];
        Mix([(byte)row.Transport]);
        foreach (var endpoint in (ReadOnlySpan<IPEndPoint>)[row.Local, row.Remote])
        {
            endpoint.Address.TryWriteBytes(scratch, out int written);
            Mix(scratch[..written]);
            Mix(BitConverter.GetBytes(endpoint.Port));
        }
        Mix(BitConverter.GetBytes(row.ProcessId));
        return hash == 0 ? 1 : hash;
    }
}
