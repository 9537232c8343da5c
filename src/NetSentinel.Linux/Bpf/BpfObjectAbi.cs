using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The ABI version a kernel object was built against (<c>ns_abi_version</c> in its own <c>.rodata.ns_abi</c>
/// section), checked before anything is loaded: an object from another tree would have its records misread,
/// so it is refused with one line saying what to do, instead of every record being refused one by one.
/// </summary>
internal static unsafe class BpfObjectAbi
{
    public const string SectionName = ".rodata.ns_abi";

    /// <summary>Throws <see cref="BpfException"/> unless the object declares the version this build reads. Needs no privilege.</summary>
    public static void Check(ReadOnlySpan<byte> elf)
    {
        using BpfObjectHandle obj = BpfObjectHandle.Open(elf);
        if (Problem(Read(obj.DangerousGetHandle())) is { } problem) throw new BpfException(problem);
    }

    /// <summary>The version an opened (not yet loaded) object declares, or null when it declares none.</summary>
    public static uint? Read(nint obj)
    {
        nint map = LibBpf.FindMapByName(obj, SectionName);
        if (map == 0) return null;
        nuint size;
        void* value = LibBpf.MapInitialValue(map, &size);
        return value == null || size < sizeof(uint) ? null : *(uint*)value;
    }

    public static string? Problem(uint? version) => version switch
    {
        NsAbi.Version => null,
        null => $"the eBPF object declares no ABI version ({SectionName}): it was not built from this tree's bpf/; rebuild with `make`",
        _ => $"the eBPF object was built for ABI version {version}, this build of net-sentinel reads version {NsAbi.Version}: rebuild both from one tree with `make`",
    };
}
