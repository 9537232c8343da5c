using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// The live process table of this Windows machine: one handle with PROCESS_QUERY_LIMITED_INFORMATION per query gives
/// the image path, the creation time and the creating pid; the short name comes from the system's process list
/// (System.Diagnostics.Process), which needs no access to the process, when the handle is refused.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class NativeWindowsProcessTable : IWindowsProcessTable
{
    private volatile string? _degradedReason;

    public string? DegradedReason => _degradedReason;

    /// <summary>
    /// The boot part of process entity ids on Windows: the kernel's boot time (FILETIME) in decimal, or "" when it cannot
    /// be read. A process's creation time is already absolute there; the boot time keeps the scheme the Linux one.
    /// </summary>
    public static string BootId()
    {
        long boot = ProcessIdentityNative.BootTime();
        return boot == 0 ? string.Empty : boot.ToString(CultureInfo.InvariantCulture);
    }

    public WindowsProcessFacts? Query(int pid)
    {
        if (pid <= 0) return null;
        string? executable = null;
        long creation = 0;
        int parent = -1;
        nint handle = pid <= 4 ? 0 : ProcessImageNative.OpenProcess(ProcessImageNative.ProcessQueryLimitedInformation, false, (uint)pid); // 4 System: no image
        if (handle != 0)
        {
            try
            {
                executable = ProcessImageNative.TryGetImagePath(handle);
                creation = ProcessIdentityNative.CreationTime(handle);
                parent = ProcessIdentityNative.ParentPid(handle);
            }
            finally
            {
                ProcessImageNative.CloseHandle(handle);
            }
        }

        string? shortName = null;
        if (executable is null)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                shortName = process.ProcessName;
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException)
            {
                return null; // no process has this pid (any more)
            }

            if (pid > 4 && _degradedReason is null && EtwPrivilege.Check() is not null)
                _degradedReason = "not elevated: processes of other users show no executable path";
        }

        return new WindowsProcessFacts(executable is not null ? Path.GetFileName(executable) : shortName, executable, parent, creation);
    }
}
