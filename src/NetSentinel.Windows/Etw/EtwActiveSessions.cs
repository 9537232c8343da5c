using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing.Session;

namespace NetSentinel.Windows.Etw;

/// <summary>The machine's running ETW sessions, asked before creating one of ours so we never take over another's.</summary>
[SupportedOSPlatform("windows")]
internal static class EtwActiveSessions
{
    /// <summary>Whether a session of this name is already running; false when the list cannot be read (starting will tell).</summary>
    public static bool IsRunning(string name)
    {
        try
        {
            return TraceEventSession.GetActiveSessionNames().Contains(name);
        }
        catch (Exception error) when (error is System.Runtime.InteropServices.COMException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false;
        }
    }
}
