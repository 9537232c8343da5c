using System.Globalization;
using NetSentinel.Core.Detection;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// What the monitor logged of one scenario's program, in one line: so that a failed scenario says whether the monitor
/// saw nothing, saw something other than what the program did (another executable for its pid, fewer starts), or saw
/// it all and scored it below the threshold (the beacon score of the logged starts and sizes, as the detector computes it).
/// </summary>
public static class ScenarioEvidence
{
    /// <summary>Destinations described, busiest first.</summary>
    private const int MaxDestinations = 3;

    public static string Describe(string scenario, string executable, IReadOnlyList<ConnectionLine> connections)
    {
        string name = SelfTestVerdict.ProcessName(scenario);
        // Its pids by path (or by name when the path was not known), then every line of those pids: a line of one of
        // them under another executable is itself the finding.
        var pids = connections.Where(c => c.Executable == executable || (c.Executable is null && c.ProcessName == name))
                              .Select(c => c.Pid).ToHashSet();
        var mine = connections.Where(c => pids.Contains(c.Pid)).ToList();
        if (mine.Count == 0)
        {
            return $"{scenario}: the monitor logged no connection of {executable}";
        }
        var text = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{scenario}: the monitor logged {mine.Count(c => c.IsStart)} starts and {mine.Count(c => c.IsEnd)} ends of pid {string.Join(",", pids.Order())}"),
        };
        var executables = mine.GroupBy(c => c.Executable ?? "(none)").ToList();
        if (executables.Count > 1)
        {
            text.Add("executables " + string.Join(", ", executables.Select(g => $"{g.Key} ×{g.Count()}")));
        }
        foreach (var destination in mine.Where(c => c.IsStart).GroupBy(c => c.Destination).OrderByDescending(g => g.Count()).Take(MaxDestinations))
        {
            var starts = destination.Where(c => c.Start is not null).Select(c => c.Start!.Value).Order().ToList();
            var sizes = mine.Where(c => c.IsEnd && c.Destination == destination.Key).Select(c => c.Bytes).ToList();
            text.Add($"{destination.Key} ×{destination.Count()}{Gaps(starts)}{Sizes(sizes)}{Score(starts, sizes)}");
        }
        return string.Join("; ", text);
    }

    private static string Gaps(List<DateTimeOffset> starts)
    {
        if (starts.Count < 2)
        {
            return string.Empty;
        }
        var gaps = starts.Zip(starts.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $", starts every {gaps[0]:0.00}–{gaps[^1]:0.00} s (median {gaps[gaps.Count / 2]:0.00} s)");
    }

    private static string Sizes(List<long> sizes)
    {
        if (sizes.Count == 0)
        {
            return string.Empty;
        }
        var sorted = sizes.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $", {sizes.Count} ended with {sorted[0]}–{sorted[^1]} bytes (median {sorted[sorted.Count / 2]})");
    }

    /// <summary>The beacon score of what was logged: what the detector would have scored over the same starts and sizes.</summary>
    private static string Score(List<DateTimeOffset> starts, List<long> sizes)
    {
        if (starts.Count < 3)
        {
            return string.Empty;
        }
        var score = BeaconScore.Of(starts, sizes.Count > 0 ? sizes : null);
        return string.Create(CultureInfo.InvariantCulture,
            $", beacon score {score.Score:0.00} (timing {score.TimingScore:0.00}{(score.SizeScore is { } s ? $", size {s:0.00}" : string.Empty)})");
    }
}
