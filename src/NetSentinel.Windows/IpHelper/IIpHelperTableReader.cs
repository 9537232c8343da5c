namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// Where the raw table buffers come from: iphlpapi.dll on Windows (<see cref="IpHelperNativeTableReader"/>),
/// recorded buffers in the tests.
/// </summary>
public interface IIpHelperTableReader
{
    /// <summary>The table's buffer as GetExtendedTcpTable/GetExtendedUdpTable filled it in.</summary>
    /// <exception cref="IpHelperTableFormatException">The call failed, or the table kept growing.</exception>
    byte[] Read(IpHelperTable table);
}
