using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_header</c>: the start of every ring-buffer record.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsHeader
{
    public ulong TimestampNs;
    public uint Kind;
    public uint AbiVersion;
}
