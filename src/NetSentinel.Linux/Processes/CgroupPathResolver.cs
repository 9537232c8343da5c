using System.Diagnostics;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// Turns the cgroup id the kernel captured with an event (bpf_get_current_cgroup_id: the inode of the cgroup's
/// directory in the v2 hierarchy) into its path, e.g. <c>/system.slice/docker-&lt;id&gt;.scope</c>. The id is taken at
/// the event, so a process that connected and exited at once still has its container. The hierarchy is walked
/// again on an unknown id, at most once a second (new containers appear; a storm of unknown ids costs one walk).
/// </summary>
public sealed class CgroupPathResolver(string? mountPoint)
{
    private const int MaxCgroups = 65536;
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(1);

    private Dictionary<ulong, string> _byId = [];
    private readonly Stopwatch _sinceScan = new();

    /// <summary>The cgroup's path relative to the v2 mount ("/" for the root), or null when unknown.</summary>
    public string? Resolve(ulong cgroupId)
    {
        if (cgroupId == 0 || mountPoint is null) return null;
        if (_byId.TryGetValue(cgroupId, out string? path)) return path;
        if (_sinceScan.IsRunning && _sinceScan.Elapsed < RescanInterval) return null;
        Scan();
        return _byId.GetValueOrDefault(cgroupId);
    }

    private void Scan()
    {
        _sinceScan.Restart();
        var byId = new Dictionary<ulong, string>();
        if (Inode(mountPoint!) is ulong rootId) byId[rootId] = "/";
        var pending = new Stack<string>();
        pending.Push(mountPoint!);
        while (pending.Count > 0 && byId.Count < MaxCgroups)
        {
            string directory = pending.Pop();
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(directory);
                foreach (string child in children)
                {
                    if (Inode(child) is ulong id) byId[id] = child[mountPoint!.Length..];
                    pending.Push(child);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // removed while walked, or not ours to read: the rest of the tree still counts
            }
        }

        _byId = byId;
    }

    /// <summary>The inode number of <paramref name="path"/> (statx stx_ino, not following a final symlink), or null.</summary>
    private static unsafe ulong? Inode(string path)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxIno = 0x100;
        byte* buffer = stackalloc byte[256];
        return LibC.Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxIno, buffer) == 0 ? *(ulong*)(buffer + 32) : null; // stx_ino at offset 32
    }
}
