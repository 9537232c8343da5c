using System.Runtime.Versioning;

namespace NetSentinel.Windows.IpHelper;

/// <summary>Reads the owner-pid tables from iphlpapi.dll, growing the buffer as the call asks.</summary>
[SupportedOSPlatform("windows")]
public sealed class IpHelperNativeTableReader : IIpHelperTableReader
{
    // The tables can grow between the size query and the copy; a few retries cover a busy host.
    private const int MaxAttempts = 5;

    public unsafe byte[] Read(IpHelperTable table)
    {
        bool tcp = table is IpHelperTable.Tcp4 or IpHelperTable.Tcp6;
        uint family = table is IpHelperTable.Tcp4 or IpHelperTable.Udp4 ? IpHelperNative.AfInet : IpHelperNative.AfInet6;
        uint size = 0;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var buffer = new byte[Math.Max(size, 4)];
            uint result;
            fixed (byte* bytes = buffer)
            {
                size = (uint)buffer.Length;
                result = tcp
                    ? IpHelperNative.GetExtendedTcpTable(bytes, ref size, false, family, IpHelperNative.TcpTableOwnerPidAll, 0)
                    : IpHelperNative.GetExtendedUdpTable(bytes, ref size, false, family, IpHelperNative.UdpTableOwnerPid, 0);
            }
            if (result == IpHelperNative.NoError) return buffer;
            if (result != IpHelperNative.ErrorInsufficientBuffer)
                throw new IpHelperTableFormatException($"{(tcp ? "GetExtendedTcpTable" : "GetExtendedUdpTable")} ({table}) failed with Windows error {result}");
            size += 4096; // head-room for sockets opened before the next call
        }
        throw new IpHelperTableFormatException($"the {table} table kept growing faster than it could be copied ({MaxAttempts} attempts)");
    }
}
