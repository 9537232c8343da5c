namespace NetSentinel.Core.Detection;

/// <summary>
/// How regular a series is, in the spirit of RITA's beacon score. For the gaps between connections:
/// dispersion = 1 − MAD/median (median absolute deviation relative to the period) and
/// skew = 1 − |Bowley skew| where the skew, (Q1 + Q3 − 2·median), is taken relative to the median rather than to
/// the inter-quartile range: with ±10 % jitter the quartiles are all within a tenth of the period, and dividing
/// by their tiny spread would turn sampling noise into "skew". Timing = the lower of the two (RITA averages them;
/// the minimum keeps random, exponential arrivals — which can look tight on one measure by chance — below 0.85 in
/// 99.5 % of 60-connection series in simulation, while ±10 % jitter scores above 0.88). Sizes (bytes per
/// connection) get the mean of the same two measures when known. Score = 0.7·timing + 0.3·size, or timing alone.
/// Each part is clamped to [0, 1].
/// </summary>
public readonly record struct BeaconScore(double Score, double TimingScore, double? SizeScore, TimeSpan Period)
{
    /// <summary>Scores the gaps between <paramref name="times"/> (ascending) and, when given, the connection sizes.</summary>
    public static BeaconScore Of(IReadOnlyList<DateTimeOffset> times, IReadOnlyList<long>? sizes)
    {
        var gaps = new double[times.Count - 1];
        for (int i = 1; i < times.Count; i++)
        {
            gaps[i - 1] = Math.Max(0, (times[i] - times[i - 1]).TotalSeconds);
        }
        double timing = Regularity(gaps, out double period, strict: true);
        double? size = null;
        if (sizes is { Count: >= 3 })
        {
            size = Regularity([.. sizes.Select(s => (double)s)], out _);
        }
        double score = size is { } s2 ? (0.7 * timing) + (0.3 * s2) : timing;
        return new BeaconScore(score, timing, size, TimeSpan.FromSeconds(period));
    }

    /// <summary>Mean of dispersion and skew scores of <paramref name="values"/>; <paramref name="median"/> is their median.</summary>
    internal static double Regularity(double[] values, out double median) => Regularity(values, out median, strict: false);

    /// <param name="strict">True: the lower of dispersion and skew; false: their mean.</param>
    internal static double Regularity(double[] values, out double median, bool strict)
    {
        Array.Sort(values);
        median = Quantile(values, 0.5);
        if (median <= 0)
        {
            // All-zero sizes (nothing sent, e.g. failed connects) are perfectly regular; zero gaps are a burst.
            return values[^1] == 0 ? 1 : 0;
        }
        double m = median;
        double[] deviations = [.. values.Select(v => Math.Abs(v - m))];
        Array.Sort(deviations);
        double mad = Quantile(deviations, 0.5);
        double dispersion = Math.Clamp(1 - (mad / median), 0, 1);
        double q1 = Quantile(values, 0.25);
        double q3 = Quantile(values, 0.75);
        double skew = Math.Clamp(1 - (Math.Abs(q1 + q3 - (2 * median)) / median), 0, 1);
        return strict ? Math.Min(dispersion, skew) : (dispersion + skew) / 2;
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
