namespace NetSentinel.Linux.Bpf;

/// <summary>Finds the cgroup-v2 hierarchy the cgroup/sendmsg hooks attach to (its root covers every process).</summary>
internal static class CgroupMounts
{
    /// <summary>The cgroup2 mount point from /proc/mounts (prefers /sys/fs/cgroup), or null on a v1-only host.</summary>
    public static string? FindV2Root(string mountsPath = "/proc/mounts")
    {
        string? found = null;
        foreach (string line in File.ReadLines(mountsPath))
        {
            string[] fields = line.Split(' ');
            if (fields.Length < 3 || fields[2] != "cgroup2") continue;
            string mountPoint = fields[1].Replace("\\040", " ", StringComparison.Ordinal);
            if (mountPoint == "/sys/fs/cgroup") return mountPoint;
            found ??= mountPoint;
        }
        return found;
    }
}
