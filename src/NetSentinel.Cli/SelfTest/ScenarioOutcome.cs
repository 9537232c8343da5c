using NetSentinel.Core.Output;

namespace NetSentinel.Cli.SelfTest;

/// <summary>What one scenario made the monitor write, and whether that passes (<see cref="SelfTestVerdict"/>).</summary>
/// <param name="Fired">Each rule that fired for the scenario's program, with the highest severity it reached.</param>
/// <param name="Problem">Why the program itself failed (it could not reach its server, timed out); null when it ran.</param>
public sealed record ScenarioOutcome(Scenario Scenario, IReadOnlyDictionary<string, Severity> Fired, int Lines, string? Problem)
{
    /// <summary>Raised something an analyst must triage: medium or higher.</summary>
    public bool Flagged => Fired.Values.Any(s => s >= Severity.Medium);

    /// <summary>An attack whose expected rule fired at medium or higher.</summary>
    public bool Detected => Scenario.ExpectedRule is { } rule && Fired.TryGetValue(rule, out var s) && s >= Severity.Medium;

    /// <summary>Why this scenario fails the self-test; null when it passes.</summary>
    public string? Failure =>
        Problem is not null ? $"the program failed: {Problem}"
        : Scenario.IsAttack && !Detected ? $"missed: no {Scenario.ExpectedRule} at medium or higher"
        : !Scenario.IsAttack && Flagged ? "a look-alike raised medium or higher"
        : Scenario.Sweep && Lines > SelfTestVerdict.MaxSweepLines ? $"a sweep wrote {Lines} alert lines (at most {SelfTestVerdict.MaxSweepLines})"
        : null;

    public static ScenarioOutcome Of(Scenario scenario, string executable, IEnumerable<AlertLine> alerts, string? problem)
    {
        // By the path the program ran from; by its name when the kernel could not give a path (a process already gone).
        var mine = alerts.Where(a => a.Executable == executable
            || (a.Executable is null && a.ProcessName == SelfTestVerdict.ProcessName(scenario.Name))).ToList();
        var fired = mine.GroupBy(a => a.Rule).ToDictionary(g => g.Key, g => g.Max(a => a.Severity), StringComparer.Ordinal);
        return new ScenarioOutcome(scenario, fired, mine.Count, problem);
    }
}
