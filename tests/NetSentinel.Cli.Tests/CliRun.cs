using System.Diagnostics;

namespace NetSentinel.Cli.Tests;

/// <summary>Runs the real net-sentinel binary (built next to the tests) as a child process.</summary>
public static class CliRun
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromSeconds(60), args);

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "net-sentinel.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
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
