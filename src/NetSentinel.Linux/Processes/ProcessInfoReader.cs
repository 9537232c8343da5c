using NetSentinel.Core.Model;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// Who a process is, for the snapshot and the polling source: name (comm), executable, command line, parent pid,
/// real uid and user name, read through the same <see cref="ProcIdentityReader"/> as the eBPF source's catalog.
/// Results are cached per (pid, start time): every call re-reads /proc/&lt;pid&gt;/stat (one small read) and
/// only reloads the rest when the start time changed, so a reused pid never inherits the identity of the
/// process that had it before. Thread-safe (one lock: the reader's buffers are shared).
/// </summary>
public sealed class ProcessInfoReader
{
    // Bounds memory on hosts that churn through pids; refilling costs one cache miss per live process.
    private const int MaxCachedProcesses = 16384;

    private readonly ProcIdentityReader _proc;
    private readonly UserNameResolver _users;
    private readonly Dictionary<int, CachedProcess> _cache = new();
    private readonly Lock _lock = new();

    /// <param name="procRoot">Where procfs is mounted; tests point this at a fake tree.</param>
    /// <param name="users">uid → name lookup; a private one when null.</param>
    public ProcessInfoReader(string procRoot = "/proc", UserNameResolver? users = null)
    {
        _proc = new ProcIdentityReader(procRoot.TrimEnd('/'));
        _users = users ?? new UserNameResolver();
    }

    /// <summary>How many processes are cached (for tests and diagnostics).</summary>
    public int CachedCount { get { lock (_lock) return _cache.Count; } }

    /// <summary>The process's identity, or null when it does not exist (any more) or its stat is unreadable.</summary>
    public ProcessInfo? Read(int pid)
    {
        if (pid <= 0) return null;
        lock (_lock)
        {
            if (_proc.ReadStat((uint)pid) is not ProcStat stat) return null;
            if (_cache.TryGetValue(pid, out CachedProcess cached) && cached.StartTime == stat.StartTime)
                return cached.Info;

            ProcessInfo info = Load(pid, stat);

            // The pid may have been recycled while we read the other files; then what we read is a mix of two processes.
            if (_proc.ReadStat((uint)pid) is not ProcStat after || after.StartTime != stat.StartTime) return null;

            if (_cache.Count >= MaxCachedProcesses) _cache.Clear();
            _cache[pid] = new CachedProcess(stat.StartTime, info);
            return info;
        }
    }

    private ProcessInfo Load(int pid, ProcStat stat)
    {
        long uid = _proc.ReadRealUid((uint)pid);
        return new ProcessInfo
        {
            Pid = pid,
            ParentPid = stat.ParentPid,
            Uid = uid,
            UserName = _users.Resolve(uid),
            Name = stat.Name,
            Executable = _proc.ReadExecutable((uint)pid),
            CommandLine = _proc.ReadCommandLine((uint)pid),
            IdentifiedBy = AttributionSource.Proc,
        };
    }

    private readonly record struct CachedProcess(ulong StartTime, ProcessInfo Info);
}
