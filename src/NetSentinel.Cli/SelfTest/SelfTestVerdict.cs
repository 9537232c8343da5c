using System.Globalization;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The self-test's judgement over every scenario: the table (scenario, expected rule, what fired, lines written,
/// verdict), recall (attacks detected at medium or higher, of all attacks) and precision (of the scenarios that raised
/// medium or higher — what an analyst must triage — the share that were attacks). It passes when no attack is missed,
/// no look-alike raises medium or higher, no sweep writes more than <see cref="MaxSweepLines"/> lines, and every program ran.
/// </summary>
public sealed class SelfTestVerdict(IReadOnlyList<ScenarioOutcome> outcomes)
{
    /// <summary>A sweep is one incident: its opening, perhaps a new-destination line before it, and its closing.</summary>
    public const int MaxSweepLines = 3;

    public IReadOnlyList<ScenarioOutcome> Outcomes => outcomes;
    public int Attacks => outcomes.Count(o => o.Scenario.IsAttack);
    public int Detected => outcomes.Count(o => o.Detected);
    public int Flagged => outcomes.Count(o => o.Flagged);
    public int FlaggedAttacks => outcomes.Count(o => o.Flagged && o.Scenario.IsAttack);
    public bool Passed => outcomes.All(o => o.Failure is null);

    /// <summary>The process name the kernel gives a program: the first 15 bytes of its file name.</summary>
    public static string ProcessName(string fileName) => fileName.Length > 15 ? fileName[..15] : fileName;

    public void WriteTable(TextWriter output)
    {
        var rows = outcomes.Select(o => new[]
        {
            o.Scenario.Name,
            o.Scenario.IsAttack ? "attack" : $"look-alike of {o.Scenario.LookAlikeOf}",
            o.Scenario.ExpectedRule ?? "nothing above low",
            o.Fired.Count == 0 ? "-" : string.Join(" ", o.Fired.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => $"{f.Key}:{Name(f.Value)}")),
            o.Lines.ToString(CultureInfo.InvariantCulture),
            o.Failure is { } failure ? "FAIL: " + failure : "ok",
        }).ToList();
        string[] header = ["scenario", "role", "expected", "fired (highest severity)", "lines", "verdict"];
        var widths = Enumerable.Range(0, header.Length - 1)
            .Select(c => Math.Max(header[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        output.WriteLine(Row(header, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Row(row, widths));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recall {Detected}/{Attacks} = {Ratio(Detected, Attacks)} (attacks raising their rule at medium or higher); " +
            $"precision {FlaggedAttacks}/{Flagged} = {Ratio(FlaggedAttacks, Flagged)} (scenarios raising medium or higher that are attacks); " +
            $"{outcomes.Sum(o => o.Lines)} alert lines"));
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, c) => c < widths.Length ? cell.PadRight(widths[c]) : cell));

    private static string Ratio(int part, int whole) =>
        whole == 0 ? "n/a" : ((double)part / whole).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Name(Severity severity) => severity.ToString().ToLowerInvariant();
}
