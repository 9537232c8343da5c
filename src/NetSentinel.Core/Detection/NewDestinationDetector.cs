using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// new_destination: a program reaching a (remote address, remote port, transport) it was not seen reaching
/// since observation began. While the baseline is learning every destination is taken as normal; afterwards
/// the first sighting alerts at once (at the Opened event, not at the interval's end) and the destination is
/// learned, so it never alerts twice. While learning, destinations also go into the <see cref="LearnedBaseline"/>
/// (as address blocks), and a destination whose block is in that baseline — learned now or loaded from the
/// state file — is not new. In baseline.mode = "learn" (<paramref name="learnOnly"/>) it never alerts.
/// Value is 1 (this sighting) against a Threshold of 0 earlier sightings, over a Window that is all the time
/// observed so far; Unit "destination".
/// </summary>
/// <param name="host">Host-wide rarity: recorded at each first sighting, and said in the alert (first_seen_on_host).</param>
public sealed class NewDestinationDetector(DateTimeOffset observingSince, LearnedBaseline? baseline = null, bool learnOnly = false,
    HostDestinations? host = null) : IDetector
{
    public const string RuleName = "new_destination";

    private readonly HashSet<DestinationKey> _known = [];
    private readonly HashSet<NamedDestination> _knownNamed = [];
    private readonly LearnedBaseline _baseline = baseline ?? new LearnedBaseline(32, 128);

    public string Rule => RuleName;

    /// <summary>Every destination seen so far (learned in the baseline, or alerted on and then learned).</summary>
    public IReadOnlyCollection<DestinationKey> Known => _known;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        // A destination is reached when a connection or UDP session starts (every flow's first event is Opened, also
        // one first seen mid-life); its traffic and close name the same destination again, and cost a lookup each.
        if (connectionEvent.Kind is not (ConnectionEventKind.Opened or ConnectionEventKind.Resumed))
        {
            return null;
        }
        var key = DestinationKey.Of(connectionEvent);
        bool firstSighting = _known.Add(key);
        if (firstSighting)
        {
            host?.Record(connectionEvent); // host-wide rarity is by address block, whatever the name
        }
        // A named destination is new when its (program, domain, port, transport) is, whatever address it answers from.
        if (NamedDestination.Of(connectionEvent) is { } named)
        {
            firstSighting = _knownNamed.Add(named);
        }
        if (learnOnly || context.Baseline.IsLearning)
        {
            _baseline.Learn(connectionEvent);
            return null;
        }
        if (!firstSighting || _baseline.Contains(connectionEvent))
        {
            return null;
        }
        var window = context.Now - observingSince;
        var transport = TransportNames.Of(key.Transport);
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = Severity.Low,
            Message = $"{connectionEvent.Process.Name} (pid {connectionEvent.Process.Pid}) reached new destination " +
                      $"{(connectionEvent.Names is { } names ? $"{names.Domain} " : string.Empty)}{key.Remote} ({transport}): 1 sighting, 0 earlier in {HumanFormat.Duration(window)} observed",
            Process = connectionEvent.Process,
            Value = 1,
            Threshold = 0,
            Unit = "destination",
            FirstSeenOnHost = host?.IsFirstSeenBy(connectionEvent),
            Window = window,
            Transport = key.Transport,
            Local = connectionEvent.Local,
            Remote = key.Remote,
            Names = connectionEvent.Names,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
        };
    }

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
    }
}
