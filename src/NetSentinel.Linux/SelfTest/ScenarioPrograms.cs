using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.SelfTest;

/// <summary>
/// Separate executables for the self-test's scenarios without shipping any: hard links of this very binary, one per
/// scenario name, in a private directory. The kernel names a process by the path it was executed from
/// (<c>process.executable</c>; <c>process.name</c> is its first 15 bytes), so each link is a program of its own, with a
/// baseline of its own — as a real implant, agent or browser would be. Across file systems the binary is copied once
/// and the copy linked. A framework-dependent build (an apphost beside net-sentinel.dll) finds its assemblies beside
/// the path it runs from, so they are symlinked into the directory too.
/// </summary>
public static class ScenarioPrograms
{
    /// <summary>Creates <paramref name="directory"/>/&lt;name&gt; for each name; returns the paths by name.</summary>
    public static IReadOnlyDictionary<string, string> Create(string self, string directory, IReadOnlyList<string> names)
    {
        string selfDirectory = Path.GetDirectoryName(self) ?? "/";
        if (File.Exists(Path.Combine(selfDirectory, Path.GetFileName(self) + ".dll")))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(selfDirectory))
            {
                if (entry != self)
                {
                    File.CreateSymbolicLink(Path.Combine(directory, Path.GetFileName(entry)), entry);
                }
            }
        }
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        string? first = null;
        foreach (string name in names)
        {
            string path = Path.Combine(directory, name);
            if (first is null)
            {
                if (LibC.Link(self, path) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is not (LibC.EXDEV or LibC.EPERM))
                    {
                        throw new IOException($"cannot link {self} as {path}: errno {errno}");
                    }
                    File.Copy(self, path); // another file system (or links refused): one copy, linked below
                }
                first = path;
            }
            else if (LibC.Link(first, path) != 0)
            {
                throw new IOException($"cannot link {first} as {path}: errno {Marshal.GetLastPInvokeError()}");
            }
            paths[name] = path;
        }
        return paths;
    }

    /// <summary>Asks a child process to stop the way an operator would (SIGTERM), so it closes its incidents and writes its summary.</summary>
    public static bool Terminate(int pid) => LibC.Kill(pid, LibC.SIGTERM) == 0;
}
