using System.Globalization;
using System.Text;

namespace NetSentinel.Core.Metrics;

/// <summary>
/// Every metric the monitor exposes, written in the Prometheus text format (version 0.0.4) when
/// scraped. Adding one is one line: <c>metrics.Gauge("net_sentinel_names_tracked", "…", () => cache.Count)</c>.
/// Values are read on the metrics thread from counters the monitor thread keeps; a read may be a
/// moment stale, never torn (64-bit reads).
/// </summary>
public sealed class MetricsRegistry
{
    private readonly Lock _gate = new();
    private readonly List<MetricFamily> _families = [];

    public IReadOnlyList<MetricFamily> Families
    {
        get { lock (_gate) return [.. _families]; }
    }

    /// <summary>A counter without labels; <paramref name="name"/> must end in <c>_total</c>.</summary>
    public void Counter(string name, string help, Func<double> read) =>
        Add(new MetricFamily(name, help, MetricType.Counter, [], () => [new MetricSample(read())]));

    /// <summary>A gauge without labels.</summary>
    public void Gauge(string name, string help, Func<double> read) =>
        Add(new MetricFamily(name, help, MetricType.Gauge, [], () => [new MetricSample(read())]));

    /// <summary>A counter whose samples carry labels, such as a <see cref="LabelledCounter"/>'s.</summary>
    public void Counter(string name, string help, string[] labelNames, Func<IEnumerable<MetricSample>> read) =>
        Add(new MetricFamily(name, help, MetricType.Counter, labelNames, read));

    /// <summary>A gauge whose samples carry labels.</summary>
    public void Gauge(string name, string help, string[] labelNames, Func<IEnumerable<MetricSample>> read) =>
        Add(new MetricFamily(name, help, MetricType.Gauge, labelNames, read));

    public void Add(MetricFamily family)
    {
        if (!IsValidName(family.Name) || family.LabelNames.Any(l => !IsValidName(l) || l.StartsWith("__", StringComparison.Ordinal)))
            throw new ArgumentException($"not a valid Prometheus metric or label name: {family.Name}", nameof(family));
        if (family.Type == MetricType.Counter && !family.Name.EndsWith("_total", StringComparison.Ordinal))
            throw new ArgumentException($"a counter's name ends in _total: {family.Name}", nameof(family));
        lock (_gate)
        {
            if (_families.Any(f => f.Name == family.Name))
                throw new ArgumentException($"metric {family.Name} is registered twice", nameof(family));
            _families.Add(family);
        }
    }

    /// <summary>The exposition text: HELP, TYPE and the samples of every family, in registration order.</summary>
    public string Write()
    {
        var text = new StringBuilder(4096);
        foreach (var family in Families)
        {
            text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type == MetricType.Counter ? "counter" : "gauge").Append('\n');
            foreach (var sample in family.Read())
            {
                text.Append(family.Name);
                if (family.LabelNames.Length > 0)
                {
                    text.Append('{');
                    for (int i = 0; i < family.LabelNames.Length; i++)
                    {
                        if (i > 0) text.Append(',');
                        string value = i < sample.LabelValues.Length ? sample.LabelValues[i] : "";
                        text.Append(family.LabelNames[i]).Append("=\"").Append(EscapeLabel(value)).Append('"');
                    }
                    text.Append('}');
                }
                text.Append(' ').Append(FormatValue(sample.Value)).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static bool IsValidName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
