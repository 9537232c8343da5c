using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;
using NetSentinel.Core.Model;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// Resolves a pid with System.Diagnostics.Process (short name) and QueryFullProcessImageName (full path),
/// cached per pid. Pids are reused on Windows, so the cache is dropped when it grows past a bound;
/// a reused pid can still be misnamed until then, which is why ETW attribution is marked as such.
/// Parent pid and command line are not read (they need the PEB or a toolhelp snapshot).
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class WindowsProcessInfoResolver : IProcessInfoResolver
{
    private const int MaxCached = 4096;
    private readonly ConcurrentDictionary<int, ProcessInfo> _cache = new();
    private volatile string? _degradedReason;

    public string? DegradedReason => _degradedReason;

    public ProcessInfo Resolve(int pid)
    {
        if (_cache.TryGetValue(pid, out var known)) return known;
        if (_cache.Count >= MaxCached) _cache.Clear();
        var resolved = Read(pid);
        _cache[pid] = resolved;
        return resolved;
    }

    /// <summary>Forget a pid (its process exited), so a new process reusing it is read afresh.</summary>
    public void Forget(int pid) => _cache.TryRemove(pid, out _);

    private ProcessInfo Read(int pid)
    {
        string? shortName = null;
        try
        {
            using var process = Process.GetProcessById(pid);
            shortName = process.ProcessName;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            // Exited already: keep whatever the path lookup can still say (usually nothing).
        }

        string? executable = pid <= 4 ? null : ProcessImageNative.TryGetImagePath(pid); // 0 idle, 4 System: no image file
        if (executable is null && shortName is not null && pid > 4 && _degradedReason is null && EtwPrivilege.Check() is not null)
            _degradedReason = "not elevated: processes of other users show no executable path";

        string name = executable is not null ? Path.GetFileName(executable) : shortName ?? "?";
        return new ProcessInfo { Pid = pid, Name = name, Executable = executable };
    }
}
