using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace NetSentinel.Windows.Processes;

/// <summary>kernel32 calls that read a process's full image path with the least access right that allows it.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class ProcessImageNative
{
    /// <summary>PROCESS_QUERY_LIMITED_INFORMATION: granted for most processes of other users when elevated, unlike PROCESS_QUERY_INFORMATION.</summary>
    public const uint ProcessQueryLimitedInformation = 0x1000;

    [LibraryImport("kernel32.dll", SetLastError = true)]
    public static partial nint OpenProcess(uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, uint processId);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CloseHandle(nint handle);

    [LibraryImport("kernel32.dll", EntryPoint = "QueryFullProcessImageNameW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool QueryFullProcessImageName(nint process, uint flags, char* exeName, ref uint size);

    /// <summary>The Win32 path of the image of the process behind <paramref name="handle"/>, or null when it will not say.</summary>
    public static string? TryGetImagePath(nint handle)
    {
        // Paths can exceed MAX_PATH with long-path support; 32K chars is the NT limit.
        const int capacity = 32768;
        char[] buffer = new char[capacity];
        uint size = capacity;
        fixed (char* text = buffer)
        {
            return QueryFullProcessImageName(handle, 0, text, ref size) ? new string(text, 0, (int)size) : null;
        }
    }
}
