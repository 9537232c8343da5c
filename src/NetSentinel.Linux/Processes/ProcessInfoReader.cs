using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// Who a process is, for the snapshot and the polling source, read through the same <see cref="ProcIdentityReader"/>
/// as the eBPF source's catalog and named the same way: name (comm), executable (path, device, inode), argv (cut where
/// the eBPF source cuts it), parent pid, real uid and user name, <c>process.entity_id</c> and start time (from
/// stat's start ticks, with the host and boot ids the eBPF source uses, so both sources give one process one id),
/// the parent chain up to <see cref="ProcessInfo.MaxAncestry"/>, the cgroup path and container, the network namespace.
/// Results are cached per (pid, start time): every call re-reads /proc/&lt;pid&gt;/stat (one small read) and
/// only reloads the rest when the start time changed, so a reused pid never inherits the identity of the
/// process that had it before. A process's ancestry is taken when it is first read, from the cache too: a
/// parent that exits later is still named, and a poll of N known processes costs N stat reads.
/// Thread-safe (one lock: the reader's buffers are shared).
/// </summary>
public sealed class ProcessInfoReader
{
    // Bounds memory on hosts that churn through pids; refilling costs one cache miss per live process.
    private const int MaxCachedProcesses = 16384;

    private readonly ProcIdentityReader _proc;
    private readonly UserNameResolver _users;
    private readonly string _hostId;
    private readonly string _bootId;
    private readonly DateTimeOffset? _bootTime;
    private readonly Dictionary<int, CachedProcess> _cache = new();
    private readonly Lock _lock = new();

    /// <param name="procRoot">Where procfs is mounted; tests point this at a fake tree.</param>
    /// <param name="users">uid → name lookup; a private one when null.</param>
    /// <param name="hostId">Machine id for entity ids; by default the one every source uses (<see cref="HostIdentity.EntityHostId"/>).</param>
    /// <param name="bootId">Boot id for entity ids; by default the kernel's.</param>
    public ProcessInfoReader(string procRoot = "/proc", UserNameResolver? users = null, string? hostId = null, string? bootId = null)
    {
        _proc = new ProcIdentityReader(procRoot.TrimEnd('/'));
        _users = users ?? new UserNameResolver();
        _hostId = hostId ?? HostIdentity.EntityHostId();
        _bootId = bootId ?? HostIdentity.CurrentBootId() ?? string.Empty;
        _bootTime = _proc.ReadBootTime();
    }

    /// <summary>How many processes are cached (for tests and diagnostics).</summary>
    public int CachedCount { get { lock (_lock) return _cache.Count; } }

    /// <summary>The process's identity, or null when it does not exist (any more) or its stat is unreadable.</summary>
    public ProcessInfo? Read(int pid)
    {
        if (pid <= 0) return null;
        lock (_lock)
        {
            if (ReadCached(pid) is not CachedProcess process) return null;
            if (!process.AncestryTaken)
            {
                // Replaced, not copied: one record per cached process (what its ancestors are named by is its Summary).
                process.Info = process.Info with { Ancestry = Ancestry(process) };
                process.AncestryTaken = true;
            }

            return process.Info;
        }
    }

    /// <summary>The process without its ancestry, from the cache when its start time still matches; null when gone.</summary>
    private CachedProcess? ReadCached(int pid)
    {
        if (_proc.ReadStat((uint)pid) is not ProcStat stat) return null;
        if (_cache.TryGetValue(pid, out CachedProcess? cached) && cached.StartTime == stat.StartTime)
            return cached;

        ProcessInfo info = Load(pid, stat);

        // The pid may have been recycled while we read the other files; then what we read is a mix of two processes.
        if (_proc.ReadStat((uint)pid) is not ProcStat after || after.StartTime != stat.StartTime) return null;

        if (_cache.Count >= MaxCachedProcesses) _cache.Clear();
        return _cache[pid] = new CachedProcess(stat.StartTime, info);
    }

    /// <summary>
    /// The parent first, then its parent, up to <see cref="ProcessInfo.MaxAncestry"/>, as /proc shows them now. Stops
    /// at pid 0, at init, at a process gone from /proc, at a loop, and at a "parent" that started after its child (the
    /// parent exited and its pid was reused).
    /// </summary>
    private List<ProcessInfo> Ancestry(CachedProcess self)
    {
        var ancestry = new List<ProcessInfo>();
        CachedProcess child = self;
        while (ancestry.Count < ProcessInfo.MaxAncestry && child.Info.ParentPid > 0 && child.Info.ParentPid != self.Info.Pid)
        {
            if (ReadCached(child.Info.ParentPid) is not CachedProcess parent || parent.StartTime > child.StartTime) break;
            if (ancestry.Exists(known => known.Pid == parent.Info.Pid)) break;
            ancestry.Add(parent.Summary ??= new ProcessInfo
            {
                Pid = parent.Info.Pid,
                ParentPid = parent.Info.ParentPid,
                Name = parent.Info.Name,
                Executable = parent.Info.Executable,
                CommandLine = parent.Info.CommandLine,
                EntityId = parent.Info.EntityId,
                Start = parent.Info.Start,
                IdentifiedBy = AttributionSource.Proc,
            });
            if (parent.Info.Pid == 1) break;
            child = parent;
        }

        return ancestry;
    }

    private ProcessInfo Load(int pid, ProcStat stat)
    {
        uint id = (uint)pid;
        long uid = _proc.ReadRealUid(id);
        ProcArguments? argv = _proc.ReadArguments(id);
        (ulong Device, ulong Inode)? file = _proc.ReadExecutableFile(id);
        string? cgroup = _proc.ReadCgroupPath(id);
        return new ProcessInfo
        {
            Pid = pid,
            ParentPid = stat.ParentPid,
            Uid = uid,
            UserName = _users.Resolve(uid),
            Name = stat.Name,
            Executable = _proc.ReadExecutable(id),
            ExecutableDevice = file?.Device,
            ExecutableInode = file?.Inode,
            CommandLine = argv?.CommandLine,
            CommandLineTruncated = argv?.Truncated ?? false,
            Args = argv?.Args,
            EntityId = EntityId.Derive(_hostId, _bootId, pid, stat.StartTime),
            Start = _bootTime?.AddTicks((long)stat.StartTime * (TimeSpan.TicksPerSecond / EntityId.TicksPerSecond)),
            CgroupPath = cgroup,
            Container = CgroupPathParser.Parse(cgroup),
            NetworkNamespace = _proc.ReadNetworkNamespace(id),
            IdentifiedBy = AttributionSource.Proc,
        };
    }

    /// <summary>One process as last read: <see cref="Info"/> (with its ancestry once taken), <see cref="Summary"/> as an ancestor.</summary>
    private sealed class CachedProcess(ulong startTime, ProcessInfo info)
    {
        public ulong StartTime { get; } = startTime;
        public ProcessInfo Info { get; set; } = info;
        public bool AncestryTaken { get; set; }
        public ProcessInfo? Summary { get; set; }
    }
}
