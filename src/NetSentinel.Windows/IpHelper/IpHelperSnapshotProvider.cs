using System.Runtime.Versioning;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// The Windows snapshot (--once, and the polling monitor): the IP Helper owner-pid tables for TCP
/// and UDP, IPv4 and IPv6. Reading the tables needs no privilege; reading other users' processes'
/// image paths does (see <see cref="DegradedReason"/>). Owners are named by the resolver (image, command line,
/// start, creator, entity id).
/// A table that cannot be read is left out and named in <see cref="DegradedReason"/>; only when none
/// can be read does <see cref="Capture"/> fail.
/// </summary>
public sealed class IpHelperSnapshotProvider : IConnectionSnapshotProvider
{
    private readonly IProcessInfoResolver _processes;
    private readonly IIpHelperTableReader _tables;
    private string? _unreadTables;

    public IpHelperSnapshotProvider(IProcessInfoResolver processes, IIpHelperTableReader tables)
    {
        _processes = processes;
        _tables = tables;
    }

    [SupportedOSPlatform("windows")]
    public IpHelperSnapshotProvider(IProcessInfoResolver processes) : this(processes, new IpHelperNativeTableReader()) { }

    [SupportedOSPlatform("windows")]
    public IpHelperSnapshotProvider() : this(new WindowsProcessInfoResolver()) { }

    public string? DegradedReason => (_unreadTables, _processes.DegradedReason) switch
    {
        (null, var processes) => processes,
        (var tables, null) => tables,
        (var tables, var processes) => $"{tables}; {processes}",
    };

    /// <exception cref="IpHelperTableFormatException">None of the four tables could be read.</exception>
    public IReadOnlyList<ConnectionRecord> Capture()
    {
        var rows = new List<IpHelperSocketRow>();
        var failures = new List<string>();
        foreach (var table in Enum.GetValues<IpHelperTable>())
        {
            try
            {
                rows.AddRange(Parse(table, _tables.Read(table)));
            }
            catch (IpHelperTableFormatException error)
            {
                failures.Add(error.Message);
            }
        }
        if (failures.Count == Enum.GetValues<IpHelperTable>().Length)
            throw new IpHelperTableFormatException($"no IP Helper table could be read ({string.Join("; ", failures)})");
        _unreadTables = failures.Count == 0 ? null : $"sockets missing from this snapshot: {string.Join("; ", failures)}";
        return IpHelperRecordBuilder.Build(rows, _processes);
    }

    private static List<IpHelperSocketRow> Parse(IpHelperTable table, byte[] buffer) => table switch
    {
        IpHelperTable.Tcp4 => IpHelperTableParser.ParseTcp4(buffer),
        IpHelperTable.Tcp6 => IpHelperTableParser.ParseTcp6(buffer),
        IpHelperTable.Udp4 => IpHelperTableParser.ParseUdp4(buffer),
        _ => IpHelperTableParser.ParseUdp6(buffer),
    };
}
