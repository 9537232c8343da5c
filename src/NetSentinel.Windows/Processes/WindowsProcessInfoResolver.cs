using System.Runtime.Versioning;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// A pid's process as Windows gives it: name, image path, command line, parent pid, start (creation time), <c>process.entity_id</c>
/// (<see cref="EntityId"/>: host id = MachineGuid, boot id = the kernel's boot time, pid, creation time as a FILETIME)
/// and the chain of its creators up to <see cref="ProcessInfo.MaxAncestry"/> while they live. Cached per (pid,
/// creation time): every call asks the table who holds the pid now, so a reused pid never inherits the identity of the
/// process that had it before. A "parent" created after its child is not its parent (the creator exited and its pid was
/// reused): the chain stops there. The command line is not split into <c>process.args</c>: Windows hands a program
/// one string, and each program parses it its own way.
/// </summary>
public sealed class WindowsProcessInfoResolver : IProcessInfoResolver
{
    private const int MaxCached = 4096;

    private readonly IWindowsProcessTable _table;
    private readonly string _hostId;
    private readonly string _bootId;
    private readonly Dictionary<int, Entry> _cache = [];
    private readonly Lock _lock = new();

    /// <param name="table">Where processes are looked up.</param>
    /// <param name="hostId">Host part of entity ids.</param>
    /// <param name="bootId">Boot part of entity ids.</param>
    public WindowsProcessInfoResolver(IWindowsProcessTable table, string hostId, string bootId)
    {
        _table = table;
        _hostId = hostId;
        _bootId = bootId;
    }

    /// <summary>This machine's processes, named with its MachineGuid and boot time.</summary>
    [SupportedOSPlatform("windows")]
    public WindowsProcessInfoResolver() : this(new NativeWindowsProcessTable(), HostIdentity.EntityHostId(), NativeWindowsProcessTable.BootId()) { }

    public string? DegradedReason => _table.DegradedReason;

    public ProcessInfo Resolve(int pid)
    {
        lock (_lock)
        {
            if (Lookup(pid) is not Entry entry) return new ProcessInfo { Pid = pid, Name = "?" };
            return entry.Info ??= entry.Base with { Ancestry = Ancestry(entry) };
        }
    }

    /// <summary>Forget a pid (its process exited), so a new process reusing it is read afresh.</summary>
    public void Forget(int pid)
    {
        lock (_lock) _cache.Remove(pid);
    }

    private Entry? Lookup(int pid)
    {
        if (_table.Query(pid) is not WindowsProcessFacts facts) return null;
        // Without a creation time the pid cannot be told from a reuse of it: then the cache serves it until dropped.
        if (_cache.TryGetValue(pid, out Entry? cached) && cached.Facts.CreationFileTime == facts.CreationFileTime) return cached;
        if (_cache.Count >= MaxCached) _cache.Clear();
        return _cache[pid] = new Entry(facts, new ProcessInfo
        {
            Pid = pid,
            ParentPid = Math.Max(facts.ParentPid, 0),
            Name = facts.Name ?? "?",
            Executable = facts.Executable,
            CommandLine = facts.CommandLine,
            CommandLineTruncated = facts.CommandLineTruncated,
            EntityId = facts.CreationFileTime > 0 ? EntityId.Derive(_hostId, _bootId, pid, (ulong)facts.CreationFileTime) : null,
            Start = facts.CreationFileTime > 0 ? DateTimeOffset.FromFileTime(facts.CreationFileTime).ToUniversalTime() : null,
        });
    }

    /// <summary>The creator first, then its creator, while each lives and was created before the process it created.</summary>
    private List<ProcessInfo> Ancestry(Entry self)
    {
        var ancestry = new List<ProcessInfo>();
        Entry child = self;
        while (ancestry.Count < ProcessInfo.MaxAncestry && child.Facts.ParentPid > 0 && child.Facts.ParentPid != self.Base.Pid)
        {
            if (Lookup(child.Facts.ParentPid) is not Entry parent) break;
            if (parent.Facts.CreationFileTime == 0 || child.Facts.CreationFileTime == 0 || parent.Facts.CreationFileTime > child.Facts.CreationFileTime) break;
            if (ancestry.Exists(known => known.Pid == parent.Base.Pid)) break;
            ancestry.Add(parent.Base);
            child = parent;
        }

        return ancestry;
    }

    /// <summary>One process as last read: <see cref="Base"/> without its ancestry (also what its children name), <see cref="Info"/> with it.</summary>
    private sealed class Entry(WindowsProcessFacts facts, ProcessInfo info)
    {
        public WindowsProcessFacts Facts { get; } = facts;
        public ProcessInfo Base { get; } = info;
        public ProcessInfo? Info { get; set; }
    }
}
