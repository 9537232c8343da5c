using System.Diagnostics;
using System.Net;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// A separate, known process (bash) that opens <c>count</c> TCP connections to a test host through
/// bash's /dev/tcp and holds them until disposed: a stand-in for a real program with real sockets.
/// </summary>
public sealed class HeldConnections : IDisposable
{
    private readonly Process _bash;

    public HeldConnections(IPAddress address, int port, int count)
    {
        string script = $"for i in $(seq {count}); do exec {{fd}}<>/dev/tcp/{address}/{port} || exit 9; done; echo ready; exec sleep 60";
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        _bash = Process.Start(psi)!;
        var ready = _bash.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "ready")
            throw new InvalidOperationException($"bash did not open {count} connections to {address}:{port}");
    }

    /// <summary>The holder's pid (bash exec's sleep, which keeps the pid and the inherited sockets).</summary>
    public int Pid => _bash.Id;

    public void Dispose()
    {
        try { _bash.Kill(); } catch (InvalidOperationException) { }
        _bash.WaitForExit(5000);
        _bash.Dispose();
    }
}
