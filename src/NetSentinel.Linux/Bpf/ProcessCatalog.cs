using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;
using NetSentinel.Linux.Processes;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// What we know of each live process beyond what the kernel hands us per event: its executable, taken
/// from the exec event when we saw it (so a process that execs, connects and exits within a millisecond
/// still has it), else read once from /proc; and its command line from /proc when still readable. /proc is read
/// through <see cref="ProcIdentityReader"/>, as the snapshot's <see cref="ProcessInfoReader"/> does.
/// /proc is a cache here, not the truth.
/// Records arrive in the order they were reserved, not in timestamp order, so an exited process is kept a while
/// after its exit (records still in flight describe it by what it was), and an exec record older than the exit
/// already seen is ignored. "A while" is <see cref="ExitGraceNs"/> of kernel time past the exit, or until the
/// interval after the one its exit was drained in, whichever comes first: a fork/exec storm's short-lived
/// processes leave after a second instead of staying for one or two whole intervals.
/// </summary>
public sealed class ProcessCatalog
{
    /// <summary>A bound in case exit events are lost: then the whole cache is rebuilt lazily.</summary>
    private const int MaxProcesses = 32768;

    /// <summary>
    /// How long an exited process is remembered, in kernel time past its exit record's stamp. A record is stamped
    /// microseconds before it is reserved, so a record about the process reserved after its exit is stamped at most
    /// that much earlier; a second is far more than any of them needs, and a storm's dead processes cost memory.
    /// </summary>
    public const ulong ExitGraceNs = 1_000_000_000;

    private readonly Dictionary<uint, ProcessFacts> _byTgid = [];
    /// <summary>The latest exit drained for each tgid, while remembered.</summary>
    private readonly Dictionary<uint, ulong> _exits = [];
    /// <summary>The same exits in the order they were drained: the oldest are forgotten first.</summary>
    private readonly Queue<(uint Tgid, ulong ExitNs)> _exitOrder = new();
    /// <summary>How many of <see cref="_exitOrder"/>'s first entries were drained before the last interval end.</summary>
    private int _exitsBeforeInterval;
    private readonly List<(uint Tgid, ulong ExitNs)> _ended = [];
    private readonly string _procRoot;
    private readonly UserNameResolver _users = new();
    private readonly ProcIdentityReader _identity;
    private readonly CgroupPathResolver _cgroups;
    private readonly string _hostId;
    private readonly string _bootId;
    private readonly DateTimeOffset? _bootTime;

    /// <param name="procRoot">Where /proc is (a fake tree in tests).</param>
    /// <param name="hostId">Machine id for entity ids; by default /etc/machine-id.</param>
    /// <param name="bootId">Boot id for entity ids; by default the kernel's.</param>
    /// <param name="cgroupMount">The cgroup v2 mount the kernel's cgroup ids name directories of; by default found in /proc/mounts.</param>
    public ProcessCatalog(string procRoot = "/proc", string? hostId = null, string? bootId = null, string? cgroupMount = null)
    {
        _procRoot = procRoot;
        _cgroups = new CgroupPathResolver(cgroupMount ?? (procRoot == "/proc" ? CgroupMounts.FindV2Root() : null));
        _identity = new ProcIdentityReader(procRoot);
        _hostId = hostId ?? HostIdentity.EntityHostId();
        _bootId = bootId ?? HostIdentity.CurrentBootId() ?? string.Empty;
        _bootTime = _identity.ReadBootTime();
    }

    public int Count => _byTgid.Count;

    /// <summary>Recent records' paths, names and arguments, one string each (the translator decodes exec records with it).</summary>
    internal RecentText Text { get; } = new();

    public void OnExec(uint tgid, string filename, ulong timestampNs) => OnExec(tgid, 0, string.Empty, filename, timestampNs);

    /// <summary>An exec known only by its path (tests, and hand-made records).</summary>
    public void OnExec(uint tgid, uint parentTgid, string name, string filename, ulong timestampNs) =>
        OnExec(tgid, parentTgid, name, new ExecIdentity { Executable = NullIfEmpty(filename) }, timestampNs);

    /// <summary>
    /// A successful exec, with the parent, name, file and command line the kernel captured: kept so that once the process
    /// has exited (a shell between a service and the program that connects), its children still name it in their
    /// ancestry, and so that a connection made before a later exec keeps the identity its process had then.
    /// </summary>
    public void OnExec(uint tgid, uint parentTgid, string name, ExecIdentity exec, ulong timestampNs)
    {
        if (ExitedAt(tgid) is ulong exitNs && exitNs >= timestampNs) return; // drained after its process's exit: it names nothing alive
        Bound();
        if (_byTgid.TryGetValue(tgid, out ProcessFacts? before)) before.Before = null; // one level: a process that execs in a loop holds no chain
        // A child whose fork we saw names the parent that forked it: the kernel's real_parent at exec is a reaper when
        // that parent has exited in between (a shell starting a program in the background and leaving).
        bool forked = before is { ForkedBy: not 0, ExitedNs: 0 };
        if (forked) parentTgid = before!.ForkedBy;
        var facts = new ProcessFacts
        {
            Executable = exec.Executable,
            ExecutableTruncated = exec.ExecutableTruncated,
            ExecutableDevice = exec.Device,
            ExecutableInode = exec.Inode,
            Args = exec.Args,
            CommandLine = exec.CommandLine,
            CommandLineTruncated = exec.CommandLineTruncated,
            // What exec captured is the command line of the moment: /proc, read later, may already show another program's.
            CommandLineRead = exec.Args is not null,
            Name = NullIfEmpty(name),
            ParentTgid = parentTgid,
            StartTicks = exec.StartTicks,
            // The exec time stands in for the start time should the process be gone before /proc is read.
            ExecTicks = EntityId.TicksFromBootNanoseconds(timestampNs),
            ExecNs = timestampNs,
            // Records are drained in reservation order, not timestamp order: a connect record stamped before this exec
            // (written at ESTABLISHED or at a SYN retransmission) may arrive after it and must name the program before.
            Before = before is { ExitedNs: 0 } ? before : null,
            ForkedBy = forked ? parentTgid : 0,
        };
        _byTgid[tgid] = facts;
        // The chain is taken now, while the parents' facts are at hand: a shell that started this program and
        // exits forgets nothing of it later (its child is re-parented, and its own facts leave this catalog).
        // A forked child's chain was taken at its fork, when its parent was certainly alive.
        if (forked && before!.Ancestors is { Count: > 0 } atFork) facts.Ancestors = atFork;
        else if (parentTgid != 0) facts.Ancestors = Ancestry(parentTgid, tgid);
    }

    /// <summary>
    /// A new process: until it execs it runs its parent's program, and it names the parent that forked it even if that
    /// parent exits first and it is re-parented (to init or a subreaper). The ancestry is taken now, while the parent lives.
    /// <paramref name="startBoottimeNs"/> is the child's start as the kernel keeps it (what /proc/PID/stat's starttime
    /// counts, suspend included), so that its entity_id is the one a /proc reader derives even if it never execs and is
    /// gone before /proc is read; 0 when unknown (then /proc, else no entity_id: the record's monotonic time would name
    /// another process after a suspend).
    /// </summary>
    public void OnFork(uint childTgid, uint parentTgid, ulong timestampNs, ulong startBoottimeNs = 0)
    {
        if (ExitedAt(childTgid) is ulong exitNs && exitNs >= timestampNs) return;
        Bound();
        ProcessFacts? parent = _byTgid.TryGetValue(parentTgid, out ProcessFacts? p) && p.ExitedNs == 0 ? p : null;
        var facts = new ProcessFacts
        {
            Executable = parent?.Executable,
            ExecutableTruncated = parent?.ExecutableTruncated ?? false,
            ExecutableDevice = parent?.ExecutableDevice,
            ExecutableInode = parent?.ExecutableInode,
            Args = parent?.Args,
            CommandLine = parent?.CommandLine,
            CommandLineTruncated = parent?.CommandLineTruncated ?? false,
            CommandLineRead = parent?.CommandLineRead ?? false,
            Name = parent?.Name,
            ParentTgid = parentTgid,
            ForkedBy = parentTgid,
            StartTicks = startBoottimeNs == 0 ? null : EntityId.TicksFromBootNanoseconds(startBoottimeNs),
        };
        _byTgid[childTgid] = facts;
        facts.Ancestors = Ancestry(parentTgid, childTgid);
    }

    /// <summary>
    /// The process is gone. Its facts stay for <see cref="ExitGraceNs"/> past the exit (at most until the next
    /// <see cref="ForgetExited"/> but one): its pid may be reused after. Each exit forgets those older than the grace.
    /// </summary>
    public void OnExit(uint tgid, ulong timestampNs)
    {
        if (_byTgid.TryGetValue(tgid, out ProcessFacts? facts)) facts.ExitedNs = timestampNs;
        _exits[tgid] = timestampNs;
        _exitOrder.Enqueue((tgid, timestampNs));
        if (timestampNs > ExitGraceNs) ForgetExitsBefore(timestampNs - ExitGraceNs);
    }

    /// <summary>
    /// Exits forgotten since the last <see cref="ClearEnded"/>: those processes' records are all in (the grace is over),
    /// so what others keep of them can go too (the translator tells the pipeline).
    /// </summary>
    internal IReadOnlyList<(uint Tgid, ulong ExitNs)> Ended => _ended;

    internal void ClearEnded() => _ended.Clear();

    /// <summary>When the process with this tgid exited, if its exit record was drained and is still remembered.</summary>
    public ulong? ExitedAt(uint tgid) => _exits.TryGetValue(tgid, out ulong ns) ? ns : null;

    /// <summary>Called at each interval end: drops processes whose exit was drained before the previous call (late records had one interval to arrive).</summary>
    public void ForgetExited()
    {
        for (; _exitsBeforeInterval > 0; _exitsBeforeInterval--) Forget(_exitOrder.Dequeue());
        _exitsBeforeInterval = _exitOrder.Count;
    }

    /// <summary>Forgets the exits drained first while they are older than <paramref name="cutoffNs"/> (drain order is nearly stamp order).</summary>
    private void ForgetExitsBefore(ulong cutoffNs)
    {
        while (_exitOrder.TryPeek(out var oldest) && oldest.ExitNs < cutoffNs)
        {
            Forget(_exitOrder.Dequeue());
            if (_exitsBeforeInterval > 0) _exitsBeforeInterval--;
        }
    }

    private void Forget((uint Tgid, ulong ExitNs) exit)
    {
        // Only that exit: the pid may have been reused, and exited again, since.
        _ended.Add(exit);
        if (_exits.TryGetValue(exit.Tgid, out ulong latest) && latest == exit.ExitNs) _exits.Remove(exit.Tgid);
        if (_byTgid.TryGetValue(exit.Tgid, out ProcessFacts? facts) && facts.ExitedNs == exit.ExitNs) _byTgid.Remove(exit.Tgid);
    }

    /// <summary>Who the task is, at <paramref name="timestampNs"/>: a tgid seen exiting before then belongs to a new process.</summary>
    internal unsafe ProcessInfo Describe(in NsTask task, ulong timestampNs)
    {
        if (_byTgid.TryGetValue(task.Tgid, out ProcessFacts? facts) && facts.ExitedNs != 0 && facts.ExitedNs < timestampNs)
            facts = null; // the pid was reused by a process whose exec we did not see
        if (facts is { Before: not null } && facts.ExecNs > timestampNs)
            facts = facts.Before; // an event from before the process's latest exec
        if (facts is null)
        {
            Bound();
            facts = FromProc(task.Tgid);
            _byTgid[task.Tgid] = facts;
        }
        ReadArguments(task.Tgid, facts);
        ProcessInfo? last = facts.Last;
        string name = BpfText.Comm(task, Text);
        // The parent that started it, not a subreaper it was re-parented to when that parent exited.
        if (facts.ParentTgid == 0) facts.ParentTgid = task.Ppid;
        if (last is not null && last.ParentPid == (int)facts.ParentTgid && last.Uid == task.Uid && last.Name == name && facts.CgroupId == task.CgroupId)
            return last;
        if (facts.CgroupId != task.CgroupId && _cgroups.Resolve(task.CgroupId) is string cgroupPath)
        {
            // The kernel's cgroup id at the event is the truth (a process may have moved since, or be gone from /proc).
            facts.CgroupPath = cgroupPath;
            facts.Container = CgroupPathParser.Parse(cgroupPath);
        }

        facts.CgroupId = task.CgroupId;
        facts.Name ??= name;
        ReadIdentity(task.Tgid, facts);
        return facts.Last = new ProcessInfo
        {
            Pid = (int)task.Tgid,
            ParentPid = (int)facts.ParentTgid,
            Uid = task.Uid,
            UserName = _users.Resolve(task.Uid),
            Name = name,
            Executable = facts.Executable,
            ExecutableTruncated = facts.ExecutableTruncated,
            ExecutableDevice = facts.ExecutableDevice,
            ExecutableInode = facts.ExecutableInode,
            CommandLine = facts.CommandLine,
            CommandLineTruncated = facts.CommandLineTruncated,
            Args = facts.Args,
            IdentifiedBy = AttributionSource.Kernel,
            EntityId = facts.EntityId,
            Start = facts.Start,
            CgroupPath = facts.CgroupPath,
            Container = facts.Container,
            NetworkNamespace = facts.NetworkNamespace,
            Ancestry = facts.Ancestors ??= Ancestry(facts.ParentTgid, task.Tgid),
        };
    }

    /// <summary>
    /// The parent first, then its parent, up to <see cref="ProcessInfo.MaxAncestry"/>: from this catalog (which keeps
    /// exited processes whose exec it saw) or else /proc. Stops at init, at a loop, or at a process known to neither.
    /// Siblings share one list while their chain is the same (the parent keeps the last one it handed out): a shell's
    /// thousand children hold one ancestry, not a thousand copies.
    /// </summary>
    private IReadOnlyList<ProcessInfo> Ancestry(uint parentTgid, uint selfTgid)
    {
        IReadOnlyList<ProcessInfo>? shared = _byTgid.GetValueOrDefault(parentTgid)?.ChildAncestry;
        List<ProcessInfo>? ancestry = null;
        int count = 0;
        uint tgid = parentTgid;
        while (tgid != 0 && tgid != selfTgid && count < ProcessInfo.MaxAncestry)
        {
            ProcessFacts? facts = FactsForAncestor(tgid);
            if (facts is null) break;
            ProcessInfo summary = facts.Summary ??= new ProcessInfo
            {
                Pid = (int)tgid,
                ParentPid = (int)facts.ParentTgid,
                Name = facts.Name ?? "?",
                Executable = facts.Executable,
                ExecutableTruncated = facts.ExecutableTruncated,
                CommandLine = facts.CommandLine,
                EntityId = facts.EntityId,
                Start = facts.Start,
                IdentifiedBy = AttributionSource.Kernel,
            };
            if (ancestry is null && shared is not null && count < shared.Count && ReferenceEquals(shared[count], summary))
            {
                count++; // still the same chain as the shared one
            }
            else
            {
                ancestry ??= [.. (shared ?? []).Take(count)];
                ancestry.Add(summary);
                count++;
            }
            if (tgid == 1) break;
            tgid = facts.ParentTgid;
        }

        if (ancestry is null && shared is not null && count == shared.Count) return shared;
        IReadOnlyList<ProcessInfo> chain = ancestry ?? (count == 0 ? [] : [.. shared!.Take(count)]);
        if (chain.Count > 0 && _byTgid.GetValueOrDefault(parentTgid) is ProcessFacts parent) parent.ChildAncestry = chain;
        return chain;
    }

    private ProcessFacts? FactsForAncestor(uint tgid)
    {
        if (_byTgid.TryGetValue(tgid, out ProcessFacts? facts))
        {
            if (facts.Name is null || facts.ParentTgid == 0)
            {
                // Seen only as a connection's owner so far: fill in what an ancestor needs.
                if (_identity.ReadStat(tgid) is ProcStat stat) (facts.Name, facts.ParentTgid) = (facts.Name ?? stat.Name, stat.ParentPid > 0 ? (uint)stat.ParentPid : facts.ParentTgid);
            }
        }
        else
        {
            if (_identity.ReadStat(tgid) is not ProcStat stat) return null;
            Bound();
            facts = FromProc(tgid);
            (facts.Name, facts.ParentTgid) = (stat.Name, (uint)Math.Max(stat.ParentPid, 0));
            _byTgid[tgid] = facts;
        }

        ReadArguments(tgid, facts);

        ReadIdentity(tgid, facts);
        return facts;
    }

    /// <summary>A process whose exec was not seen (it started before the monitor, or its record was lost): its file from /proc.</summary>
    private ProcessFacts FromProc(uint tgid)
    {
        (ulong Device, ulong Inode)? file = _identity.ReadExecutableFile(tgid);
        return new ProcessFacts { Executable = _identity.ReadExecutable(tgid), ExecutableDevice = file?.Device, ExecutableInode = file?.Inode };
    }

    /// <summary>
    /// argv from /proc, once, for a process whose exec was not seen: cut where the kernel's capture cuts it, so a process
    /// reads the same whichever way it was learnt (and the same as the snapshot and polling sources read it).
    /// </summary>
    private void ReadArguments(uint tgid, ProcessFacts facts)
    {
        if (facts.CommandLineRead) return;
        facts.CommandLineRead = true;
        ProcArguments? argv = _identity.ReadArguments(tgid);
        (facts.CommandLine, facts.Args, facts.CommandLineTruncated) = (argv?.CommandLine, argv?.Args, argv?.Truncated ?? false);
    }

    /// <summary>Start time, entity id, cgroup and network namespace, read once per process (null once it is gone).</summary>
    private void ReadIdentity(uint tgid, ProcessFacts facts)
    {
        if (facts.IdentityRead) return;
        facts.IdentityRead = true;
        ulong? ticks = facts.StartTicks ?? _identity.ReadStat(tgid)?.StartTime ?? facts.ExecTicks;
        if (ticks is ulong startTicks)
        {
            facts.EntityId = EntityId.Derive(_hostId, _bootId, (int)tgid, startTicks);
            facts.Start = _bootTime?.AddTicks((long)startTicks * (TimeSpan.TicksPerSecond / EntityId.TicksPerSecond));
        }

        if (facts.CgroupPath is null)
        {
            facts.CgroupPath = _identity.ReadCgroupPath(tgid);
            facts.Container = CgroupPathParser.Parse(facts.CgroupPath);
        }

        facts.NetworkNamespace = _identity.ReadNetworkNamespace(tgid);
    }

    private void Bound()
    {
        if (_byTgid.Count >= MaxProcesses) _byTgid.Clear();
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private sealed class ProcessFacts
    {
        public string? Executable { get; init; }
        public bool ExecutableTruncated { get; init; }
        public ulong? ExecutableDevice { get; init; }
        public ulong? ExecutableInode { get; init; }
        /// <summary>argv as exec captured it; null when not captured (a process whose exec was not seen).</summary>
        public IReadOnlyList<string>? Args { get; set; }
        public bool CommandLineTruncated { get; set; }
        /// <summary>The kernel's start time of the process in clock ticks, from its exec record.</summary>
        public ulong? StartTicks { get; init; }
        /// <summary>Kernel time of the exec these facts come from; 0 when not from an exec.</summary>
        public ulong ExecNs { get; init; }
        /// <summary>The parent whose fork record created these facts (or the exec that followed one); 0 when not seen forking.</summary>
        public uint ForkedBy { get; init; }
        /// <summary>The same process before this exec (one level), for its events drained after the exec record.</summary>
        public ProcessFacts? Before { get; set; }
        /// <summary>comm as the kernel gave it at exec (or /proc/PID/stat said).</summary>
        public string? Name { get; set; }
        public uint ParentTgid { get; set; }
        /// <summary>Kernel time of the exec in clock ticks, standing in for the start time when /proc is gone.</summary>
        public ulong? ExecTicks { get; init; }
        public bool IdentityRead { get; set; }
        public string? EntityId { get; set; }
        public DateTimeOffset? Start { get; set; }
        public string? CgroupPath { get; set; }
        public ContainerIdentity? Container { get; set; }
        public ulong? NetworkNamespace { get; set; }
        /// <summary>The kernel's cgroup id with the last event described.</summary>
        public ulong CgroupId { get; set; }
        /// <summary>Its parent first, taken at its exec or first sight.</summary>
        public IReadOnlyList<ProcessInfo>? Ancestors { get; set; }
        /// <summary>This process as an ancestor of others (built once).</summary>
        public ProcessInfo? Summary { get; set; }
        /// <summary>The ancestry last given to a child of this process, for its siblings to share.</summary>
        public IReadOnlyList<ProcessInfo>? ChildAncestry { get; set; }
        public string? CommandLine { get; set; }
        public bool CommandLineRead { get; set; }
        /// <summary>Kernel time of its exit record; 0 while it lives.</summary>
        public ulong ExitedNs { get; set; }
        public ProcessInfo? Last { get; set; }
    }
}
