using System.Diagnostics;

namespace NetSentinel.Cli.SelfTest;

/// <summary>One scenario program while it runs: started from its own path, its output gathered, its end awaited.</summary>
public sealed class RunningScenario : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningScenario(Scenario scenario, string executable, Process process)
    {
        Scenario = scenario;
        Executable = executable;
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _stdout = ReadStdout();
    }

    public Scenario Scenario { get; }
    public string Executable { get; }

    public static RunningScenario Start(Scenario scenario, string executable, ScenarioPlan plan)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SelfTestCommand.ScenarioCommandName);
        foreach (string arg in plan.ToArgs())
        {
            start.ArgumentList.Add(arg);
        }
        return new RunningScenario(scenario, executable, Process.Start(start)!);
    }

    /// <summary>A server scenario says "ready" once bound; true when it did within <paramref name="timeout"/>.</summary>
    public bool WaitReady(TimeSpan timeout) => _ready.Task.Wait(timeout);

    /// <summary>Waits for the end (killing the program past <paramref name="timeout"/>); null when it did its part, else why not.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="interrupt"/> was cancelled (the program is killed on Dispose).</exception>
    public string? Finish(TimeSpan timeout, CancellationToken interrupt)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        limit.CancelAfter(timeout);
        try
        {
            _process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!interrupt.IsCancellationRequested)
        {
            _process.Kill();
            _process.WaitForExit();
            return $"still running after {timeout.TotalSeconds:0} s";
        }
        _process.WaitForExit();
        string error = _stderr.Result.Trim();
        return _process.ExitCode == 0 ? null : $"exit {_process.ExitCode}: {(error.Length > 0 ? error : "no message")}";
    }

    /// <summary>The program's own account of what it did (its last stdout line).</summary>
    public string Account => _stdout.IsCompletedSuccessfully ? _stdout.Result : string.Empty;

    private async Task<string> ReadStdout()
    {
        string last = string.Empty;
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "ready")
            {
                _ready.TrySetResult();
            }
            else
            {
                last = line;
            }
        }
        _ready.TrySetResult();
        return last;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
