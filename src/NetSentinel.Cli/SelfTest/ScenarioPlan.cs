using System.Globalization;
using System.Net;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// Everything one scenario program needs to behave, passed on its command line as key=value words
/// (<c>selftest-scenario fetch targets=198.19.8.10:8443 count=15 period=2 jitter=0.1</c>), so a scenario can also be
/// run by hand against any test host.
/// </summary>
public sealed record ScenarioPlan
{
    public required ScenarioAction Action { get; init; }
    /// <summary>Where to connect or send (cycled through); for <see cref="ScenarioAction.UdpServe"/>, where to listen.</summary>
    public required IReadOnlyList<IPEndPoint> Targets { get; init; }
    /// <summary>Exchanges or datagrams (targets cycled); for a server, the clients to answer before stopping.</summary>
    public int Count { get; init; } = 1;
    /// <summary>The gap between starts (the mean, with <see cref="RandomGaps"/>); 0 = back to back.</summary>
    public double PeriodSeconds { get; init; }
    /// <summary>Each gap is the period ± this fraction of it (uniform).</summary>
    public double Jitter { get; init; }
    /// <summary>Gaps drawn from an exponential distribution (random arrivals, as a person or a queue makes them).</summary>
    public bool RandomGaps { get; init; }
    public long UploadBytes { get; init; }
    public long DownloadBytes { get; init; }
    /// <summary>Upload pacing; 0 = as fast as the link goes.</summary>
    public long RateBytesPerSecond { get; init; }
    /// <summary>Seeds the gaps, so a run is reproducible (and a random client's gaps can be scored in a unit test).</summary>
    public int Seed { get; init; } = 14;
    /// <summary>A scenario never runs longer than this.</summary>
    public double TimeoutSeconds { get; init; } = 300;

    /// <summary>The gaps between the <see cref="Count"/> starts.</summary>
    public IReadOnlyList<TimeSpan> Gaps()
    {
        var random = new Random(Seed);
        var gaps = new List<TimeSpan>(Math.Max(Count - 1, 0));
        for (int i = 1; i < Count; i++)
        {
            double seconds = RandomGaps
                ? -PeriodSeconds * Math.Log(1 - random.NextDouble())
                : PeriodSeconds * (1 + (Jitter * ((2 * random.NextDouble()) - 1)));
            gaps.Add(TimeSpan.FromSeconds(seconds));
        }
        return gaps;
    }

    /// <summary>How long the scenario takes when all goes well (its gaps plus its paced upload).</summary>
    public TimeSpan PlannedDuration()
    {
        var total = TimeSpan.FromTicks(Gaps().Sum(g => g.Ticks));
        if (RateBytesPerSecond > 0)
        {
            total += TimeSpan.FromSeconds((double)UploadBytes / RateBytesPerSecond);
        }
        return total;
    }

    public IReadOnlyList<string> ToArgs()
    {
        var args = new List<string>
        {
            Name(Action),
            "targets=" + string.Join(",", Targets.Select(t => t.ToString())),
            Word("count", Count),
        };
        if (PeriodSeconds > 0) args.Add(Word("period", PeriodSeconds));
        if (Jitter > 0) args.Add(Word("jitter", Jitter));
        if (RandomGaps) args.Add("random=true");
        if (UploadBytes > 0) args.Add(Word("upload", UploadBytes));
        if (DownloadBytes > 0) args.Add(Word("download", DownloadBytes));
        if (RateBytesPerSecond > 0) args.Add(Word("rate", RateBytesPerSecond));
        args.Add(Word("seed", Seed));
        args.Add(Word("timeout", TimeoutSeconds));
        return args;
    }

    /// <exception cref="FormatException">A word that is not one of the plan's, or a value that does not parse.</exception>
    public static ScenarioPlan Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new FormatException("a scenario needs an action: sweep, fetch, udp or udp-serve");
        }
        var action = args[0] switch
        {
            "sweep" => ScenarioAction.Sweep,
            "fetch" => ScenarioAction.Fetch,
            "udp" => ScenarioAction.Udp,
            "udp-serve" => ScenarioAction.UdpServe,
            _ => throw new FormatException($"unknown scenario action '{args[0]}' (sweep, fetch, udp or udp-serve)"),
        };
        var plan = new ScenarioPlan { Action = action, Targets = [] };
        foreach (string word in args.Skip(1))
        {
            int eq = word.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"'{word}' is not key=value");
            }
            string key = word[..eq], value = word[(eq + 1)..];
            plan = key switch
            {
                "targets" => plan with { Targets = [.. value.Split(',').Select(IPEndPoint.Parse)] },
                "count" => plan with { Count = int.Parse(value, CultureInfo.InvariantCulture) },
                "period" => plan with { PeriodSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "jitter" => plan with { Jitter = double.Parse(value, CultureInfo.InvariantCulture) },
                "random" => plan with { RandomGaps = bool.Parse(value) },
                "upload" => plan with { UploadBytes = long.Parse(value, CultureInfo.InvariantCulture) },
                "download" => plan with { DownloadBytes = long.Parse(value, CultureInfo.InvariantCulture) },
                "rate" => plan with { RateBytesPerSecond = long.Parse(value, CultureInfo.InvariantCulture) },
                "seed" => plan with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "timeout" => plan with { TimeoutSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new FormatException($"unknown scenario key '{key}'"),
            };
        }
        if (plan.Targets.Count == 0)
        {
            throw new FormatException("a scenario needs targets=ADDRESS:PORT[,...]");
        }
        return plan;
    }

    private static string Name(ScenarioAction action) => action switch
    {
        ScenarioAction.Sweep => "sweep",
        ScenarioAction.Fetch => "fetch",
        ScenarioAction.Udp => "udp",
        _ => "udp-serve",
    };

    private static string Word(string key, double value) => string.Create(CultureInfo.InvariantCulture, $"{key}={value}");
}
