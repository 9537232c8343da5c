using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>An attached program (bpf_link); destroying it detaches the program from its hook.</summary>
internal sealed class BpfLinkHandle : SafeHandle
{
    public BpfLinkHandle(nint link) : base(0, ownsHandle: true) => SetHandle(link);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibBpf.LinkDestroy(handle);
        return true;
    }
}
