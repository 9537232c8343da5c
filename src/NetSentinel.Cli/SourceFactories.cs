namespace NetSentinel.Cli;

/// <summary>Picks the platform's sources by OS at start.</summary>
public static class SourceFactories
{
    public static ISourceFactory ForThisOs()
    {
        if (OperatingSystem.IsLinux()) return new LinuxSourceFactory();
#if WINDOWS_SOURCES
        if (OperatingSystem.IsWindows()) return new WindowsSourceFactory();
#endif
        throw CliFailure.Runtime($"this operating system is not supported yet ({System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
    }
}
