using System.Reflection;
using System.Runtime.InteropServices;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The loaded and attached kernel program: owns the bpf_object, its links and the mapped event ring buffer,
/// and reads its maps. I/O only: knows nothing about the event model (<see cref="BpfRecordDecoder"/> and <see cref="BpfEventTranslator"/> do).
/// Dispose detaches every program.
/// </summary>
internal sealed unsafe class KernelTracer : IUdpFlowTable, IDisposable
{
    public const string ObjectResourceName = "netsentinel.bpf.o";

    private readonly BpfObjectHandle _object;
    private readonly List<BpfLinkHandle> _links;
    private readonly MappedRingBuffer _ringBuffer;
    private readonly int _socksFd;
    private readonly int _udpFlowsFd;
    private readonly int _lostFd;
    private readonly int _cpus;

    /// <summary>Lines for the startup notes: which hooks are live, which are not and why.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The hook variant that loaded.</summary>
    public BpfHookVariant Variant { get; }

    private KernelTracer(BpfObjectHandle obj, List<BpfLinkHandle> links, List<string> notes, BpfHookVariant variant)
    {
        _object = obj;
        _links = links;
        Notes = notes;
        Variant = variant;
        nint raw = obj.DangerousGetHandle();
        _socksFd = MapFd(raw, "ns_socks");
        _udpFlowsFd = MapFd(raw, "ns_udp_flows");
        _lostFd = MapFd(raw, "ns_lost");
        _cpus = LibBpfErrors.CheckResult(LibBpf.NumPossibleCpus(), "counting possible CPUs");
        _ringBuffer = MappedRingBuffer.Open(MapFd(raw, "ns_events"), LibBpf.MapMaxEntries(LibBpf.FindMapByName(raw, "ns_events")));
    }

    /// <summary>
    /// Loads the embedded object with the most preferred hook variant the kernel accepts (or the one
    /// <see cref="BpfHookVariant.ForceVariable"/> names), and attaches it.
    /// </summary>
    public static KernelTracer Start()
    {
        string? forced = Environment.GetEnvironmentVariable(BpfHookVariant.ForceVariable);
        IReadOnlyList<BpfHookVariant> variants = BpfHookVariant.Candidates(forced)
            ?? throw new BpfException($"{BpfHookVariant.ForceVariable}={forced} names no hook variant: set it to tp_btf or raw_tp, or unset it");
        return Start(LoadEmbeddedObject(), variants);
    }

    public static KernelTracer Start(byte[] elf, IReadOnlyList<BpfHookVariant> variants)
    {
        if (!LibBpf.TryLoad(out string? missing)) throw new BpfException(missing!);
        LibBpf.SetPrint(0); // libbpf would print its own diagnostics to stderr; our exceptions say what failed
        BpfObjectAbi.Check(elf); // a mismatch is no reason to try another hook variant
        var notes = new List<string>();
        var failures = new List<string>();
        foreach (BpfHookVariant variant in variants)
        {
            BpfObjectHandle? obj = null;
            var links = new List<BpfLinkHandle>();
            try
            {
                obj = BpfObjectHandle.Open(elf);
                nint raw = obj.DangerousGetHandle();
                // Only the chosen variant's programs are loaded: the others would attach to the same tracepoints.
                var wanted = new HashSet<string>(variant.Programs.Concat(variant.CgroupProgramsToAttach.Select(p => p.Program)));
                for (nint prog = LibBpf.NextProgram(raw, 0); prog != 0; prog = LibBpf.NextProgram(raw, prog))
                    LibBpf.ProgramSetAutoload(prog, wanted.Contains(Marshal.PtrToStringUTF8(LibBpf.ProgramName(prog))!));
                LibBpfErrors.CheckResult(LibBpf.ObjectLoad(raw), $"loading the BPF programs ({variant.Name})");
                foreach (string name in variant.Programs)
                    links.Add(Attach(raw, name));
                notes.Add($"ebpf: hooks live: {variant.Name} ({string.Join(", ", BpfHookVariant.Tracepoints.Select(t => t.Tracepoint))})");
                if (failures.Count > 0) notes.Add("ebpf: preferred hooks unavailable: " + string.Join("; ", failures));
                notes.Add(AttachCgroupHooks(raw, variant, links));
                return new KernelTracer(obj, links, notes, variant);
            }
            catch (BpfException e)
            {
                failures.Add(e.Message);
                foreach (BpfLinkHandle link in links) link.Dispose();
                obj?.Dispose();
            }
        }
        throw new BpfException("no eBPF hook variant could be loaded: " + string.Join("; ", failures));
    }

    private static string AttachCgroupHooks(nint obj, BpfHookVariant variant, List<BpfLinkHandle> links)
    {
        string? root = CgroupMounts.FindV2Root();
        if (root is null)
            return $"ebpf: no cgroup-v2 mount: {variant.WithoutCgroupNote}";
        int fd = LibC.Open(root, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0)
            return $"ebpf: cannot open {root} (errno {Marshal.GetLastPInvokeError()}): {variant.WithoutCgroupNote}";
        try
        {
            foreach (var (name, _) in variant.CgroupProgramsToAttach)
            {
                nint prog = LibBpfErrors.CheckPointer(LibBpf.FindProgramByName(obj, name), $"finding program {name}");
                nint link = LibBpfErrors.CheckPointer(LibBpf.ProgramAttachCgroup(prog, fd), $"attaching {name} to {root}");
                links.Add(new BpfLinkHandle(link));
            }
            return $"ebpf: UDP and DNS hooks live: {string.Join(", ", variant.CgroupProgramsToAttach.Select(p => p.AttachPoint))} on {root}; {variant.CallReadingNote}";
        }
        finally
        {
            LibC.Close(fd); // the links hold their own reference to the cgroup
        }
    }

    private static BpfLinkHandle Attach(nint obj, string name)
    {
        nint prog = LibBpfErrors.CheckPointer(LibBpf.FindProgramByName(obj, name), $"finding program {name}");
        return new BpfLinkHandle(LibBpfErrors.CheckPointer(LibBpf.ProgramAttach(prog), $"attaching {name}"));
    }

    private static int MapFd(nint obj, string name)
    {
        nint map = LibBpfErrors.CheckPointer(LibBpf.FindMapByName(obj, name), $"finding map {name}");
        return LibBpfErrors.CheckResult(LibBpf.MapFd(map), $"getting the fd of map {name}");
    }

    public static byte[] LoadEmbeddedObject()
    {
        Assembly assembly = typeof(KernelTracer).Assembly;
        using Stream? stream = assembly.GetManifestResourceStream(ObjectResourceName)
            ?? throw new BpfException($"this build has no embedded {ObjectResourceName} (it was built without clang on Linux): rebuild with `make deps` done");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a wakeup, then reads everything already submitted (records
    /// submitted with BPF_RB_NO_WAKEUP do not wake epoll, so a wait alone would leave them waiting) and returns how many.
    /// The handler runs on this thread, straight from the mapped pages; a record is valid only during its call.
    /// </summary>
    public int Drain(Action<ReadOnlySpan<byte>> handler, int timeoutMs)
    {
        if (timeoutMs > 0) _ringBuffer.Wait(timeoutMs);
        return _ringBuffer.Reader.Read(handler);
    }

    /// <summary>Every tracked TCP socket's state (identity and byte counters so far).</summary>
    public void ReadSockets(List<NsSockState> into) => ReadAll<ulong, NsSockState>(_socksFd, "ns_socks", (_, v) => into.Add(v));

    public void ReadUdpFlows(List<KeyValuePair<NsUdpKey, NsUdpFlow>> into) =>
        ReadAll<NsUdpKey, NsUdpFlow>(_udpFlowsFd, "ns_udp_flows", (k, v) => into.Add(new(k, v)));

    public bool TryTake(in NsUdpKey key, ulong connId, out NsUdpFlow flow)
    {
        flow = default;
        fixed (NsUdpKey* k = &key)
        fixed (NsUdpFlow* value = &flow)
        {
            if (LibBpf.MapLookupElem(_udpFlowsFd, k, value) != 0 || value->ConnId != connId) return false;
            LibBpf.MapDeleteElem(_udpFlowsFd, k);
            return true;
        }
    }

    /// <summary>Bytes in the event ring buffer not yet consumed, and its size (any thread: two loads from the mapped positions).</summary>
    public (long Queued, long Capacity) RingBufferBacklog => (_ringBuffer.Reader.QueuedBytes, _ringBuffer.Reader.CapacityBytes);

    /// <summary>Sums the per-CPU loss counters: (ring-buffer reservations failed, sockets/flows not tracked because a map was full).</summary>
    public (long RingBuffer, long MapFull) ReadLost()
    {
        Span<long> perCpu = _cpus <= 256 ? stackalloc long[_cpus] : new long[_cpus];
        long ring = 0, full = 0;
        for (int slot = 0; slot < NsAbi.LostSlots; slot++)
        {
            int key = slot;
            fixed (long* values = perCpu)
                LibBpfErrors.CheckResult(LibBpf.MapLookupElem(_lostFd, &key, values), "reading the loss counters");
            long sum = 0;
            foreach (long v in perCpu) sum += v;
            if (slot == NsAbi.LostRingBuffer) ring = sum; else full = sum;
        }
        return (ring, full);
    }

    private static void ReadAll<TKey, TValue>(int fd, string name, Action<TKey, TValue> add)
        where TKey : unmanaged where TValue : unmanaged
    {
        const int Chunk = 1024;
        var keys = new TKey[Chunk];
        var values = new TValue[Chunk];
        ulong inBatch = 0, outBatch = 0; // hash maps use a u32 bucket cursor
        bool first = true;
        for (int round = 0; round < 1_000_000; round++)
        {
            uint count = Chunk;
            int rc;
            fixed (TKey* k = keys)
            fixed (TValue* v = values)
                rc = LibBpf.MapLookupBatch(fd, first ? null : &inBatch, &outBatch, k, v, &count, null);
            if (rc < 0 && rc != -LibC.ENOENT) LibBpfErrors.CheckResult(rc, $"batch-reading map {name}");
            for (int i = 0; i < (int)count; i++) add(keys[i], values[i]);
            if (rc == -LibC.ENOENT) return;
            inBatch = outBatch;
            first = false;
        }
    }

    public void Dispose()
    {
        foreach (BpfLinkHandle link in _links) link.Dispose();
        _ringBuffer.Dispose();
        _object.Dispose();
    }
}
