using System.Runtime.InteropServices;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// Why a kernel session did not start, in one line for the user, and whether the session under that
/// name is ours to stop: when it already existed it belongs to another net-sentinel (or was left
/// behind by one that was killed), and stopping it would blind that monitor.
/// </summary>
internal static class EtwStartFailure
{
    /// <summary>ERROR_ALREADY_EXISTS as StartTrace reports it through TraceEvent (HRESULT_FROM_WIN32(183)).</summary>
    public const int AlreadyExistsHResult = unchecked((int)0x800700B7);

    public const string NotElevatedMessage = "ETW kernel network tracing needs an elevated (Administrator) prompt";

    public static bool IsAlreadyRunning(Exception error) => error is COMException { HResult: AlreadyExistsHResult };

    /// <param name="kind">Which of our sessions: "kernel" (network events) or "DNS-Client".</param>
    public static string AlreadyRunningMessage(string sessionName, string kind = "kernel") =>
        $"the {kind} ETW session \"{sessionName}\" already exists: another net-sentinel is monitoring this host " +
        $"(or one was killed and left it behind: remove it with `logman stop {sessionName} -ets`)";

    public static EtwSessionException Explain(Exception error, string sessionName, string kind = "kernel") => new(
        error switch
        {
            UnauthorizedAccessException => NotElevatedMessage,
            _ when IsAlreadyRunning(error) => AlreadyRunningMessage(sessionName, kind),
            _ => $"cannot start the {kind} ETW session: {error.Message}",
        },
        error);
}
