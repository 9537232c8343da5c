using System.Runtime.CompilerServices;

namespace NetSentinel.Linux.Bpf;

/// <summary>Reads a fixed-layout ABI struct out of a ring-buffer record, which is only valid inside the callback.</summary>
internal static class BpfRecord
{
    public static bool TryRead<T>(ReadOnlySpan<byte> record, out T value) where T : unmanaged
    {
        if (record.Length < Unsafe.SizeOf<T>())
        {
            value = default;
            return false;
        }
        value = Unsafe.ReadUnaligned<T>(ref Unsafe.AsRef(in record[0]));
        return true;
    }
}
