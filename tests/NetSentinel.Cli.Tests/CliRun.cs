using System.Diagnostics;

namespace NetSentinel.Cli.Tests;

/// <summary>Runs the real net-sentinel binary (built next to the tests) as a child process.</summary>
public static partial class CliRun
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

    /// <summary>
    /// Reads <paramref name="reader"/> (a running monitor's stderr or stdout) until a line contains <paramref name="text"/>
    /// and returns that line; throws when the stream ends or 30 s pass first (a read never blocks past the deadline).
    /// </summary>
    public static string WaitForLine(StreamReader reader, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var line = reader.ReadLineAsync();
            if (!line.Wait(deadline - DateTime.UtcNow)) break;
            if (line.Result is null) throw new InvalidOperationException($"net-sentinel exited before it printed '{text}'");
            if (line.Result.Contains(text, StringComparison.Ordinal)) return line.Result;
        }
        throw new TimeoutException($"net-sentinel never printed '{text}'");
    }

    /// <summary>kill(2): sends <paramref name="signal"/> (15 = SIGTERM, 1 = SIGHUP) as a service manager or logrotate would.</summary>
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

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
