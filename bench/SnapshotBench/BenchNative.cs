using System.Runtime.InteropServices;

namespace SnapshotBench;

/// <summary>libc calls the benchmark needs: a higher fd limit, and spawning ss without .NET's pipe plumbing.</summary>
internal static unsafe partial class BenchNative
{
    private const int RlimitNoFile = 7;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ulong* limits);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, ulong* limits);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int FileActionsAddOpen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int PosixSpawn(int* pid, byte* path, void* actions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);

    /// <summary>Raises the soft open-file limit to the hard limit; returns the new soft limit.</summary>
    public static ulong RaiseFileLimit()
    {
        ulong* limits = stackalloc ulong[2];
        if (GetRLimit(RlimitNoFile, limits) != 0) throw new InvalidOperationException($"getrlimit: errno {Marshal.GetLastPInvokeError()}");
        limits[0] = limits[1];
        if (SetRLimit(RlimitNoFile, limits) != 0) throw new InvalidOperationException($"setrlimit: errno {Marshal.GetLastPInvokeError()}");
        return limits[0];
    }

    /// <summary>Runs <paramref name="path"/> with stdout on /dev/null and waits; returns the wait status.</summary>
    public static int RunToDevNull(string path, params string[] args)
    {
        byte* actions = stackalloc byte[256]; // posix_spawn_file_actions_t is 80 bytes on glibc
        FileActionsInit(actions);
        try
        {
            fixed (byte* devNull = "/dev/null\0"u8)
                FileActionsAddOpen(actions, 1, devNull, 1 /* O_WRONLY */, 0);

            var strings = new List<nint>();
            try
            {
                nint Utf8(string s) { nint p = Marshal.StringToCoTaskMemUTF8(s); strings.Add(p); return p; }
                byte** argv = stackalloc byte*[args.Length + 2];
                argv[0] = (byte*)Utf8(path);
                for (int i = 0; i < args.Length; i++) argv[i + 1] = (byte*)Utf8(args[i]);
                argv[args.Length + 1] = null;
                byte** envp = stackalloc byte*[2];
                envp[0] = (byte*)Utf8("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
                envp[1] = null;

                int pid;
                int error = PosixSpawn(&pid, argv[0], actions, null, argv, envp);
                if (error != 0) throw new InvalidOperationException($"posix_spawn {path}: errno {error}");
                int status;
                while (WaitPid(pid, &status, 0) < 0)
                    if (Marshal.GetLastPInvokeError() != 4) throw new InvalidOperationException("waitpid failed");
                return status;
            }
            finally
            {
                foreach (nint p in strings) Marshal.FreeCoTaskMem(p);
            }
        }
        finally
        {
            FileActionsDestroy(actions);
        }
    }
}
