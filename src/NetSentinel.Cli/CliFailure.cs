namespace NetSentinel.Cli;

/// <summary>A failure that ends the run with one line on stderr and a documented exit code; never a stack trace.</summary>
public sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliFailure Usage(string message) => new(ExitCodes.UsageError, message);
    public static CliFailure Runtime(string message) => new(ExitCodes.RuntimeError, message);
}
