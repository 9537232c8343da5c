using System.Diagnostics;
using NetSentinel.Linux.SelfTest;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The monitor the self-test watches with: this same binary, started as a user would start it (<c>--config FILE
/// --json</c>), ready once it says "watching", stopped with SIGTERM so it closes its incidents and writes their totals.
/// Its stderr lines are kept (they say why it did not start). Its stdout carries every line it logs (with --json, the
/// connection lines too); those that mention one of the self-test's programs are kept, up to <see cref="MaxKeptLines"/>,
/// so a failed scenario can be explained (<see cref="ScenarioEvidence"/>) without the log file holding the whole
/// host's connections, which on a busy host would rotate the alerts away.
/// </summary>
public sealed class MonitorProcess : IDisposable
{
    private const string ReadyLine = "watching outbound connections";

    /// <summary>A bound on the stdout lines kept (a scenario makes at most a few hundred connections).</summary>
    public const int MaxKeptLines = 100_000;

    private readonly Process _process;
    private readonly List<string> _notes = [];
    private readonly List<string> _kept = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Thread? _stdoutReader;

    private MonitorProcess(Process process) => _process = process;

    private void Keep(string line)
    {
        lock (_kept)
        {
            if (_kept.Count < MaxKeptLines)
            {
                _kept.Add(line);
            }
        }
    }

    /// <param name="keepWhenContaining">A stdout line is kept when it contains one of these (the programs' paths and names).</param>
    public static MonitorProcess Start(string executable, string configFile, IReadOnlyList<string> keepWhenContaining)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--config", configFile, "--json" })
        {
            start.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var monitor = new MonitorProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (monitor._notes)
            {
                monitor._notes.Add(e.Data);
            }
            if (e.Data.Contains(ReadyLine, StringComparison.Ordinal))
            {
                monitor._ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => monitor._ready.TrySetException(new InvalidOperationException("the monitor exited"));
        process.Start();
        process.BeginErrorReadLine();
        var filter = new MentionFilter(keepWhenContaining, monitor.Keep);
        Stream stdout = process.StandardOutput.BaseStream;
        monitor._stdoutReader = new Thread(() => filter.ReadToEnd(stdout)) { IsBackground = true, Name = "selftest stdout" };
        monitor._stdoutReader.Start();
        return monitor;
    }

    public int Pid => _process.Id;

    /// <summary>What the monitor wrote on stderr so far.</summary>
    public IReadOnlyList<string> Notes
    {
        get
        {
            lock (_notes)
            {
                return [.. _notes];
            }
        }
    }

    /// <summary>The stdout lines kept so far (complete once <see cref="Stop"/> returned).</summary>
    public IReadOnlyList<string> KeptLines
    {
        get
        {
            lock (_kept)
            {
                return [.. _kept];
            }
        }
    }

    /// <summary>True once the monitor is watching; false when it exited or took longer than <paramref name="timeout"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="interrupt"/> was cancelled.</exception>
    public bool WaitReady(TimeSpan timeout, CancellationToken interrupt)
    {
        try
        {
            return _ready.Task.Wait(timeout, interrupt);
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then up to <paramref name="timeout"/> for it to write its last lines; its exit code, or null if it had to be killed.</summary>
    public int? Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            ScenarioPrograms.Terminate(_process.Id);
        }
        if (_process.WaitForExit(timeout))
        {
            _process.WaitForExit(); // stderr drained too
            _stdoutReader?.Join(timeout); // and stdout: its pipe ends when the monitor exited
            return _process.ExitCode;
        }
        _process.Kill();
        return null;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
