using System.Runtime.Versioning;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// The Windows snapshot (--once, and the polling monitor): the IP Helper owner-pid tables for TCP
/// and UDP, IPv4 and IPv6. Reading the tables needs no privilege; reading other users' processes'
/// image paths does (see <see cref="DegradedReason"/>). Command lines are not read: that needs the
/// target's PEB (NtQueryInformationProcess + ReadProcessMemory), so CommandLine is always null here.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class IpHelperSnapshotProvider : IConnectionSnapshotProvider
{
    // The tables can grow between the size query and the copy; a few retries cover a busy host.
    private const int MaxAttempts = 5;
    private readonly IProcessInfoResolver _processes;

    public IpHelperSnapshotProvider(IProcessInfoResolver processes) => _processes = processes;

    public IpHelperSnapshotProvider() : this(new WindowsProcessInfoResolver()) { }

    public string? DegradedReason => _processes.DegradedReason;

    public IReadOnlyList<ConnectionRecord> Capture()
    {
        var rows = new List<IpHelperSocketRow>();
        rows.AddRange(IpHelperTableParser.ParseTcp4(ReadTable(tcp: true, IpHelperNative.AfInet, IpHelperNative.TcpTableOwnerPidAll)));
        rows.AddRange(IpHelperTableParser.ParseTcp6(ReadTable(tcp: true, IpHelperNative.AfInet6, IpHelperNative.TcpTableOwnerPidAll)));
        rows.AddRange(IpHelperTableParser.ParseUdp4(ReadTable(tcp: false, IpHelperNative.AfInet, IpHelperNative.UdpTableOwnerPid)));
        rows.AddRange(IpHelperTableParser.ParseUdp6(ReadTable(tcp: false, IpHelperNative.AfInet6, IpHelperNative.UdpTableOwnerPid)));
        return IpHelperRecordBuilder.Build(rows, _processes);
    }

    private static unsafe byte[] ReadTable(bool tcp, uint addressFamily, int tableClass)
    {
        uint size = 0;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var buffer = new byte[Math.Max(size, 4)];
            uint result;
            fixed (byte* table = buffer)
            {
                size = (uint)buffer.Length;
                result = tcp
                    ? IpHelperNative.GetExtendedTcpTable(table, ref size, false, addressFamily, tableClass, 0)
                    : IpHelperNative.GetExtendedUdpTable(table, ref size, false, addressFamily, tableClass, 0);
            }
            if (result == IpHelperNative.NoError) return buffer;
            if (result != IpHelperNative.ErrorInsufficientBuffer)
                throw new IpHelperTableFormatException($"{(tcp ? "GetExtendedTcpTable" : "GetExtendedUdpTable")} failed with Windows error {result}");
            size += 4096; // head-room for sockets opened before the next call
        }
        throw new IpHelperTableFormatException($"the {(tcp ? "TCP" : "UDP")} table kept growing faster than it could be copied ({MaxAttempts} attempts)");
    }
}
