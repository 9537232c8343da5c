using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// The calls that say when a process started and who created it (kernel32 GetProcessTimes, ntdll
/// NtQueryInformationProcess's basic information), and when this machine booted (ntdll NtQuerySystemInformation's
/// time of day information, the kernel's own boot time: the same value on every call, unlike now minus the uptime).
/// All work with PROCESS_QUERY_LIMITED_INFORMATION.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class ProcessIdentityNative
{
    private const int ProcessBasicInformation = 0;
    private const int SystemTimeOfDayInformation = 3;

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetProcessTimes(nint process, long* creation, long* exit, long* kernel, long* user);

    [LibraryImport("ntdll.dll")]
    private static partial int NtQueryInformationProcess(nint process, int informationClass, void* information, uint length, uint* returnLength);

    [LibraryImport("ntdll.dll")]
    private static partial int NtQuerySystemInformation(int informationClass, void* information, uint length, uint* returnLength);

    /// <summary>PROCESS_BASIC_INFORMATION (64-bit layout): ExitStatus, PebBaseAddress, AffinityMask, BasePriority, UniqueProcessId, InheritedFromUniqueProcessId.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BasicInformation
    {
        public nint ExitStatus;
        public nint PebBaseAddress;
        public nint AffinityMask;
        public nint BasePriority;
        public nint UniqueProcessId;
        public nint InheritedFromUniqueProcessId;
    }

    /// <summary>The creation time (FILETIME) of the process behind <paramref name="handle"/>, or 0.</summary>
    public static long CreationTime(nint handle)
    {
        long creation, exit, kernel, user;
        return GetProcessTimes(handle, &creation, &exit, &kernel, &user) ? creation : 0;
    }

    /// <summary>The pid of the process that created this one, or -1.</summary>
    public static int ParentPid(nint handle)
    {
        BasicInformation info;
        uint returned;
        return NtQueryInformationProcess(handle, ProcessBasicInformation, &info, (uint)sizeof(BasicInformation), &returned) >= 0
            ? (int)info.InheritedFromUniqueProcessId
            : -1;
    }

    /// <summary>When the system booted (FILETIME, UTC), as the kernel keeps it; 0 when it will not say.</summary>
    public static long BootTime()
    {
        // SYSTEM_TIMEOFDAY_INFORMATION: BootTime, CurrentTime, TimeZoneBias (LARGE_INTEGERs), TimeZoneId, Reserved, BootTimeBias, SleepTimeBias.
        long* info = stackalloc long[6];
        uint returned;
        return NtQuerySystemInformation(SystemTimeOfDayInformation, info, 48, &returned) >= 0 ? info[0] : 0;
    }
}
