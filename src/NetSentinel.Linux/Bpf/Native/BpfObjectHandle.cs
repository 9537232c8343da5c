using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>
/// An opened bpf_object together with the native copy of the ELF bytes it was opened from: libbpf keeps
/// pointing into that buffer, so it is freed only after bpf_object__close.
/// </summary>
internal sealed unsafe class BpfObjectHandle : SafeHandle
{
    private void* _elf;

    private BpfObjectHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    public static BpfObjectHandle Open(ReadOnlySpan<byte> elf)
    {
        var result = new BpfObjectHandle();
        result._elf = NativeMemory.Alloc((nuint)elf.Length);
        elf.CopyTo(new Span<byte>(result._elf, elf.Length));
        nint obj = LibBpf.ObjectOpenMem(result._elf, (nuint)elf.Length, null);
        if (obj == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            result.Dispose();
            throw LibBpfErrors.Describe("opening the embedded BPF object", errno);
        }
        result.SetHandle(obj);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        if (handle != 0) LibBpf.ObjectClose(handle);
        FreeElf();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (IsInvalid) FreeElf(); // never opened: ReleaseHandle does not run
    }

    private void FreeElf()
    {
        if (_elf == null) return;
        NativeMemory.Free(_elf);
        _elf = null;
    }
}
