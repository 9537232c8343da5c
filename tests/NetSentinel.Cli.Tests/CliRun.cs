using System.Diagnostics;

namespace NetSentinel.Cli.Tests;

/// <summary>Runs the real net-sentinel binary (built next to the tests) as a child process.</summary>
public static class CliRun
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromSeconds(60), args);

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) =>
        Wait(Start(args, "dotnet"), timeout, args);

    /// <summary>Runs it as the unprivileged user nobody (needs root to switch), to see what a non-root user gets.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunAsNobody(params string[] args)
    {
        string[] prefix = ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet"];
        return Wait(Start(args, "setpriv", prefix), TimeSpan.FromSeconds(60), args);
    }

    /// <summary>
    /// Starts it without waiting, for tests that make traffic while it runs. Its stdout is drained in the
    /// background (a full pipe would block the monitor on its next line); stderr stays readable.
    /// </summary>
    public static Process Start(string[] args)
    {
        var monitor = Start(args, "dotnet");
        monitor.OutputDataReceived += (_, _) => { };
        monitor.BeginOutputReadLine();
        return monitor;
    }

    /// <summary>
    /// Writes a config whose log does not rotate within a test and returns its path. The eBPF monitor logs every
    /// connection and DNS message on the host, other tests' storms too: under load a 10 MiB log rotated within
    /// seconds and took a test's own lines with it. <paramref name="toml"/> is the rest of the test's config.
    /// </summary>
    public static string UnrotatedLogConfig(string directory, string toml = "")
    {
        string path = Path.Combine(directory, $"unrotated-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, toml + "\n[log]\nmax_size_mb = 4096\n");
        return path;
    }

    private static Process Start(string[] args, string launcher, string[]? launcherArgs = null)
    {
        var psi = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in launcherArgs ?? []) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "net-sentinel.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (launcher != "dotnet") psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        return Process.Start(psi)!;
    }

    private static (int ExitCode, string Stdout, string Stderr) Wait(Process started, TimeSpan timeout, string[] args)
    {
        using var p = started;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"net-sentinel {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
