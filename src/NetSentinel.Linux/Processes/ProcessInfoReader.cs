using System.Buffers.Text;
using NetSentinel.Core.Model;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// Reads who a process is from /proc: name (comm), executable, command line, parent pid, real uid and
/// user name. Results are cached per (pid, start time): every call re-reads /proc/&lt;pid&gt;/stat (one small
/// read) and only reloads the rest when the start time changed, so a reused pid never inherits the
/// identity of the process that had it before. Thread-safe; shared by the snapshot and the eBPF source.
/// </summary>
public sealed class ProcessInfoReader
{
    // Bounds memory on hosts that churn through pids; refilling costs one cache miss per live process.
    private const int MaxCachedProcesses = 16384;

    private readonly string _procRoot;
    private readonly UserNameResolver _users;
    private readonly Dictionary<int, CachedProcess> _cache = new();

    /// <param name="procRoot">Where procfs is mounted; tests point this at a fake tree.</param>
    /// <param name="users">uid → name lookup; a private one when null.</param>
    public ProcessInfoReader(string procRoot = "/proc", UserNameResolver? users = null)
    {
        _procRoot = procRoot.TrimEnd('/');
        _users = users ?? new UserNameResolver();
    }

    /// <summary>How many processes are cached (for tests and diagnostics).</summary>
    public int CachedCount { get { lock (_cache) return _cache.Count; } }

    /// <summary>The process's identity, or null when it does not exist (any more) or its stat is unreadable.</summary>
    public ProcessInfo? Read(int pid)
    {
        if (pid <= 0) return null;
        if (!TryReadStat(pid, out ProcStat stat)) return null;

        lock (_cache)
        {
            if (_cache.TryGetValue(pid, out CachedProcess cached) && cached.StartTime == stat.StartTime)
                return cached.Info;
        }

        ProcessInfo info = Load(pid, stat);

        // The pid may have been recycled while we read the other files; then what we read is a mix of two processes.
        if (!TryReadStat(pid, out ProcStat after) || after.StartTime != stat.StartTime) return null;

        lock (_cache)
        {
            if (_cache.Count >= MaxCachedProcesses) _cache.Clear();
            _cache[pid] = new CachedProcess(stat.StartTime, info);
        }
        return info;
    }

    private ProcessInfo Load(int pid, ProcStat stat)
    {
        string dir = $"{_procRoot}/{pid}";
        long uid = ParseRealUid(TryReadAll($"{dir}/status"));
        byte[]? cmdline = TryReadAll($"{dir}/cmdline");
        return new ProcessInfo
        {
            Pid = pid,
            ParentPid = stat.ParentPid,
            Uid = uid,
            UserName = _users.Resolve(uid),
            Name = stat.Name,
            Executable = TryReadLink($"{dir}/exe"),
            CommandLine = cmdline is null ? null : CommandLineDecoder.Decode(cmdline),
            IdentifiedBy = AttributionSource.Proc,
        };
    }

    private bool TryReadStat(int pid, out ProcStat stat)
    {
        byte[]? bytes = TryReadAll($"{_procRoot}/{pid}/stat");
        stat = default;
        return bytes is not null && ProcStat.TryParse(bytes, out stat);
    }

    /// <summary>The first number of the "Uid:" line (real, effective, saved, fs); -1 when absent.</summary>
    internal static long ParseRealUid(ReadOnlySpan<byte> status)
    {
        ReadOnlySpan<byte> key = "\nUid:"u8;
        int at = status.IndexOf(key);
        if (at < 0) return -1;
        ReadOnlySpan<byte> rest = status[(at + key.Length)..].TrimStart("\t "u8);
        return Utf8Parser.TryParse(rest, out uint uid, out _) ? uid : -1;
    }

    private static byte[]? TryReadAll(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? TryReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private readonly record struct CachedProcess(ulong StartTime, ProcessInfo Info);
}
