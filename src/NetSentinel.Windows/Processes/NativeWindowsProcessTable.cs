using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// The live process table of this Windows machine: one handle per query with PROCESS_QUERY_LIMITED_INFORMATION (and
/// PROCESS_VM_READ for the command line, when granted) gives the image path, the creation time, the creating pid and
/// the command line; the short name comes from the system's process list
/// (System.Diagnostics.Process), which needs no access to the process, when the handle is refused.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class NativeWindowsProcessTable : IWindowsProcessTable
{
    private const uint ProcessVmRead = 0x0010;

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
        (string Text, bool Truncated)? commandLine = null;
        // The command line needs PROCESS_VM_READ too; a process that refuses it (protected, or another user's when not
        // elevated) is still named with the limited right.
        nint handle = pid <= 4 ? 0 : ProcessImageNative.OpenProcess(ProcessImageNative.ProcessQueryLimitedInformation | ProcessVmRead, false, (uint)pid); // 4 System: no image
        bool canRead = handle != 0;
        if (handle == 0 && pid > 4) handle = ProcessImageNative.OpenProcess(ProcessImageNative.ProcessQueryLimitedInformation, false, (uint)pid);
        if (handle != 0)
        {
            try
            {
                executable = ProcessImageNative.TryGetImagePath(handle);
                creation = ProcessIdentityNative.CreationTime(handle);
                (parent, nint peb) = ProcessIdentityNative.Basic(handle);
                if (canRead) commandLine = ProcessIdentityNative.CommandLine(handle, peb, WindowsProcessFacts.MaxCommandLineChars);
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

        return new WindowsProcessFacts(executable is not null ? Path.GetFileName(executable) : shortName, executable, parent, creation,
            commandLine?.Text, commandLine?.Truncated ?? false);
    }
}
