using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>A libbpf ring_buffer consumer (epoll + mmap of the BPF ring buffer map).</summary>
internal sealed class RingBufferHandle : SafeHandle
{
    public RingBufferHandle(nint ringBuffer) : base(0, ownsHandle: true) => SetHandle(ringBuffer);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibBpf.RingBufferFree(handle);
        return true;
    }
}
