using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing.Session;

namespace NetSentinel.Windows.Etw;

/// <summary>Whether this process may start a kernel ETW session: that needs an elevated (Administrator) token.</summary>
[SupportedOSPlatform("windows")]
public static class EtwPrivilege
{
    public const string MissingMessage = EtwStartFailure.NotElevatedMessage;

    /// <summary>Null when the token is elevated (or elevation cannot be determined, in which case starting the session will tell);
    /// otherwise the one line to print before exiting with code 3.</summary>
    public static string? Check()
    {
        try
        {
            return TraceEventSession.IsElevated() == false ? MissingMessage : null;
        }
        catch (TypeInitializationException)
        {
            // TraceEvent refuses to load before Windows 10: undetermined here (the process resolver asks too, and
            // must not fail a snapshot over it); starting a session throws the same refusal, with its reason.
            return null;
        }
    }
}
