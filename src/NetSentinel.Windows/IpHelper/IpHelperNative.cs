using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NetSentinel.Windows.IpHelper;

/// <summary>The two iphlpapi.dll calls the snapshot needs (source-generated P/Invoke, NativeAOT-safe).</summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class IpHelperNative
{
    public const uint AfInet = 2;
    public const uint AfInet6 = 23;
    /// <summary>TCP_TABLE_CLASS.TCP_TABLE_OWNER_PID_ALL: listeners and connections, with owning pid.</summary>
    public const int TcpTableOwnerPidAll = 5;
    /// <summary>UDP_TABLE_CLASS.UDP_TABLE_OWNER_PID.</summary>
    public const int UdpTableOwnerPid = 1;
    public const uint NoError = 0;
    public const uint ErrorInsufficientBuffer = 122;

    [LibraryImport("iphlpapi.dll")]
    public static partial uint GetExtendedTcpTable(byte* table, ref uint size, [MarshalAs(UnmanagedType.Bool)] bool order, uint addressFamily, int tableClass, uint reserved);

    [LibraryImport("iphlpapi.dll")]
    public static partial uint GetExtendedUdpTable(byte* table, ref uint size, [MarshalAs(UnmanagedType.Bool)] bool order, uint addressFamily, int tableClass, uint reserved);
}
