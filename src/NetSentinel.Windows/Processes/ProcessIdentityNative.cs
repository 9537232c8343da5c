using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// The calls that say when a process started, who created it and how (kernel32 GetProcessTimes, ntdll
/// NtQueryInformationProcess's basic information, the command line in the process's parameters), and when this machine booted (ntdll NtQuerySystemInformation's
/// time of day information, the kernel's own boot time: the same value on every call, unlike now minus the uptime).
/// All but the command line work with PROCESS_QUERY_LIMITED_INFORMATION.
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

    /// <summary>The pid of the process that created this one (-1 when it will not say) and the address of its PEB (0 then).</summary>
    public static (int ParentPid, nint Peb) Basic(nint handle)
    {
        BasicInformation info;
        uint returned;
        return NtQueryInformationProcess(handle, ProcessBasicInformation, &info, (uint)sizeof(BasicInformation), &returned) >= 0
            ? ((int)info.InheritedFromUniqueProcessId, info.PebBaseAddress)
            : (-1, 0);
    }

    /// <summary>
    /// The process's command line as it was started, read from its memory: the PEB's ProcessParameters, then their
    /// CommandLine (a UNICODE_STRING), cut to <paramref name="maxChars"/> characters. <paramref name="handle"/> needs
    /// PROCESS_VM_READ. (NtQueryInformationProcess's ProcessCommandLineInformation would need less, but Wine, where CI
    /// runs the executable, does not implement it: this way is the one tested.) Null when the process will not say.
    /// </summary>
    public static (string Text, bool Truncated)? CommandLine(nint handle, nint peb, int maxChars)
    {
        const int ProcessParametersOffset = 0x20; // PEB (64-bit): InheritedAddressSpace .. Ldr, then ProcessParameters
        const int CommandLineOffset = 0x70;       // RTL_USER_PROCESS_PARAMETERS (64-bit): ... ImagePathName, then CommandLine
        nint parameters;
        if (peb == 0 || !Read(handle, peb + ProcessParametersOffset, &parameters, sizeof(nint)) || parameters == 0) return null;
        UnicodeString line;
        if (!Read(handle, parameters + CommandLineOffset, &line, sizeof(UnicodeString)) || line.Buffer == 0 || line.Length == 0) return null;
        int chars = Math.Min(line.Length / sizeof(char), maxChars);
        char[] text = new char[chars];
        fixed (char* destination = text)
        {
            if (!Read(handle, line.Buffer, destination, chars * sizeof(char))) return null;
        }

        return (new string(text), line.Length / sizeof(char) > maxChars);
    }

    private static bool Read(nint process, nint address, void* destination, int length) =>
        ReadProcessMemory(process, address, destination, (nuint)length, out nuint read) && read == (nuint)length;

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool ReadProcessMemory(nint process, nint address, void* buffer, nuint size, out nuint read);

    /// <summary>UNICODE_STRING (64-bit): Length and MaximumLength in bytes, then the pointer to the characters.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct UnicodeString
    {
        public ushort Length;
        public ushort MaximumLength;
        public nint Buffer;
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
