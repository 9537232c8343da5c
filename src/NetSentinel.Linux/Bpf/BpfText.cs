using System.Net;
using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Bpf;

/// <summary>Decodes the ABI's raw fields (NUL-terminated names, network-order addresses) into .NET values.</summary>
internal static unsafe class BpfText
{
    public static string Comm(in NsTask task)
    {
        fixed (byte* comm = task.Comm)
            return CString(new ReadOnlySpan<byte>(comm, NsAbi.CommLength));
    }

    /// <summary>The task's comm, one string object for the same name (every event carries it).</summary>
    public static string Comm(in NsTask task, RecentText text)
    {
        fixed (byte* comm = task.Comm)
        {
            var bytes = new ReadOnlySpan<byte>(comm, NsAbi.CommLength);
            int end = bytes.IndexOf((byte)0);
            return text.Utf8(end < 0 ? bytes : bytes[..end]);
        }
    }

    public static string CString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>An IPv4-mapped IPv6 address (dual-stack socket) is reported as IPv4 (<see cref="CanonicalAddress"/>).</summary>
    public static IPAddress Address(ushort family, ReadOnlySpan<byte> bytes) =>
        family != NsAbi.AfInet6 ? new IPAddress(bytes[..4]) : CanonicalAddress.Of(new IPAddress(bytes));

    public static int Port(ushort networkOrder) => (ushort)IPAddress.NetworkToHostOrder((short)networkOrder);
}
