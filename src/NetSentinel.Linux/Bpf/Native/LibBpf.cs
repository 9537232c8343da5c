using System.Reflection;
using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>
/// Source-generated bindings to the parts of libbpf 1.x we use. Pointer-returning calls give NULL and set
/// errno; int-returning calls give -errno. <see cref="LibBpfErrors"/> turns both into exceptions.
/// </summary>
internal static unsafe partial class LibBpf
{
    private const string Library = "libbpf";

    /// <summary>Distros ship libbpf.so.1 (libbpf 1.x); older ones only libbpf.so.0, whose calls we use are the same.</summary>
    private static readonly string[] s_candidates = ["libbpf.so.1", "libbpf.so.0", "libbpf.so"];

    static LibBpf()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibBpf).Assembly, Resolve);
    }

    /// <summary>Forces the resolver to be installed and the library loaded; false when no libbpf is present.</summary>
    public static bool TryLoad(out string? error)
    {
        nint handle = Resolve(Library, typeof(LibBpf).Assembly, null);
        error = handle == 0 ? $"libbpf not found (tried {string.Join(", ", s_candidates)}): install libbpf1 or libbpf-dev" : null;
        return handle != 0;
    }

    private static nint s_handle;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) return 0;
        if (s_handle != 0) return s_handle;
        foreach (string candidate in s_candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
                return s_handle = handle;
        }
        return 0;
    }

    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(nint printFn);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int NumPossibleCpus();

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(void* buffer, nuint size, void* opts);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindProgramByName(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindMapByName(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_program")]
    public static partial nint NextProgram(nint obj, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_program__name")]
    public static partial nint ProgramName(nint prog);

    /// <summary>The program's instructions (struct bpf_insn, 8 bytes each) as libbpf holds them; before load, as the ELF has them.</summary>
    [LibraryImport(Library, EntryPoint = "bpf_program__insns")]
    public static partial ulong* ProgramInstructions(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__insn_cnt")]
    public static partial nuint ProgramInstructionCount(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_autoload")]
    public static partial int ProgramSetAutoload(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    public static partial nint ProgramAttachCgroup(nint prog, int cgroupFd);

    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Library, EntryPoint = "bpf_map__initial_value")]
    public static partial void* MapInitialValue(nint map, nuint* size);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__max_entries")]
    public static partial uint MapMaxEntries(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    public static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    public static partial int MapDeleteElem(int fd, void* key);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_batch", SetLastError = true)]
    public static partial int MapLookupBatch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, void* opts);
}
