using System.Globalization;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Dns;

/// <summary>
/// dns_tunnel: one process querying many distinct names under one registrable domain within a short window — data
/// carried in the names (DNS tunnels) or a domain-generation algorithm hunting for its server under one zone.
/// Value = distinct names in the window, Threshold = dns.tunnel_distinct_names, Unit "names".
/// Memory: at most threshold + 1 names per (process, domain) and <see cref="MaxTrackedKeys"/> keys; past it the
/// key idle longest is dropped.
/// </summary>
public sealed class DnsTunnelDetector(int distinctNamesThreshold, TimeSpan window)
{
    public const string RuleName = "dns_tunnel";
    public const int MaxTrackedKeys = 10_000;
    private const int NamesInMessage = 5;

    private readonly record struct Key(int Pid, string Domain);

    private readonly Dictionary<Key, (DistinctTargetWindow<string> Names, DateTimeOffset LastSeen)> _byKey = [];

    public int TrackedKeyCount => _byKey.Count;

    /// <summary>Counts the query's name; an alert when its domain's distinct names reach the threshold.</summary>
    public AlertRecord? OnQuery(DnsEvent query, DnsMessage message, AlertContext context)
    {
        if (message.QuestionName.Length == 0)
        {
            return null;
        }
        string domain = RegistrableDomain.Of(message.QuestionName);
        if (domain == message.QuestionName)
        {
            return null; // the domain itself is one name, however often it is asked
        }
        var key = new Key(query.Process.Pid, domain);
        if (!_byKey.TryGetValue(key, out var entry))
        {
            if (_byKey.Count >= MaxTrackedKeys)
            {
                DropIdlest();
            }
            entry = (new DistinctTargetWindow<string>(distinctNamesThreshold + 1), query.Timestamp);
        }
        entry.Names.Expire(query.Timestamp - window);
        bool added = entry.Names.Add(message.QuestionName, query.Timestamp);
        _byKey[key] = (entry.Names, query.Timestamp);
        int count = entry.Names.Count;
        // Once, as the count reaches the threshold; again only after the window has let it fall back below.
        if (!added || count != distinctNamesThreshold)
        {
            return null;
        }
        var sample = entry.Names.Values.Take(NamesInMessage).ToList();
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = Severity.Medium,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"{query.Process.Name} (pid {query.Process.Pid}) queried {count} distinct names under {domain} within {HumanFormat.Duration(window)} " +
                $"(threshold {distinctNamesThreshold}), e.g. {string.Join(", ", sample)}: DNS tunnelling or a domain-generation algorithm"),
            Process = query.Process,
            Value = count,
            Threshold = distinctNamesThreshold,
            Unit = "names",
            Window = window,
            Transport = query.Transport,
            Local = query.Local,
            Remote = query.Server,
            QueriedName = message.QuestionName,
            Targets = sample,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
        };
    }

    private void DropIdlest()
    {
        Key idlest = default;
        var oldest = DateTimeOffset.MaxValue;
        foreach (var (key, entry) in _byKey)
        {
            if (entry.LastSeen < oldest)
            {
                (idlest, oldest) = (key, entry.LastSeen);
            }
        }
        _byKey.Remove(idlest);
    }
}
