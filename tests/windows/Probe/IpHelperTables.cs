using System.Runtime.InteropServices;

namespace NetSentinel.Probe;

/// <summary>
/// The four owner-pid tables exactly as iphlpapi.dll fills them in (the same calls and table classes
/// as net-sentinel's IpHelperSnapshotProvider), kept as raw bytes: they become golden test inputs.
/// </summary>
internal static unsafe partial class IpHelperTables
{
    private const uint AfInet = 2;
    private const uint AfInet6 = 23;
    private const int TcpTableOwnerPidAll = 5;
    private const int UdpTableOwnerPid = 1;
    private const uint ErrorInsufficientBuffer = 122;

    public static IEnumerable<(string Name, byte[] Bytes)> ReadAll()
    {
        yield return ("tcp4", Read(tcp: true, AfInet));
        yield return ("tcp6", Read(tcp: true, AfInet6));
        yield return ("udp4", Read(tcp: false, AfInet));
        yield return ("udp6", Read(tcp: false, AfInet6));
    }

    private static byte[] Read(bool tcp, uint family)
    {
        uint size = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var buffer = new byte[Math.Max(size, 4)];
            uint result;
            fixed (byte* table = buffer)
            {
                size = (uint)buffer.Length;
                result = tcp
                    ? GetExtendedTcpTable(table, ref size, false, family, TcpTableOwnerPidAll, 0)
                    : GetExtendedUdpTable(table, ref size, false, family, UdpTableOwnerPid, 0);
            }
            if (result == 0) return buffer; // sized by the previous call's answer, so no slack to speak of
            if (result != ErrorInsufficientBuffer) throw new IOException($"{(tcp ? "GetExtendedTcpTable" : "GetExtendedUdpTable")} failed with Windows error {result}");
        }
        throw new IOException("the table kept growing");
    }

    [LibraryImport("iphlpapi.dll")]
    private static partial uint GetExtendedTcpTable(byte* table, ref uint size, [MarshalAs(UnmanagedType.Bool)] bool order, uint addressFamily, int tableClass, uint reserved);

    [LibraryImport("iphlpapi.dll")]
    private static partial uint GetExtendedUdpTable(byte* table, ref uint size, [MarshalAs(UnmanagedType.Bool)] bool order, uint addressFamily, int tableClass, uint reserved);
}
