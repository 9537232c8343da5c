using System.Globalization;
using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What one beacon alert says, as values: the connection's process and endpoints, the series' score and span at that
/// connection, and the context. A beacon alerts on every connection of a regular series; while its incident is open
/// and no line is due, the incident only counts the connection and keeps this (<see cref="IncidentTracker.TryCount"/>),
/// so a storm of beacons builds no alert and no message per connection — the alert is built from the latest evidence
/// when a line is written, and says what it would have said then.
/// </summary>
/// <param name="Remote">The connection's remote endpoint as the event gave it (the alert's is canonical).</param>
/// <param name="Starts">Starts the score was over.</param>
/// <param name="FirstSeenOnHost">True when no program on the host had reached the destination; null when unknown.</param>
internal readonly record struct BeaconEvidence(
    ProcessInfo Process, IPEndPoint Local, IPEndPoint Remote, Transport Transport, DomainNames? Names, AlertContext Context,
    BeaconScore Score, double Threshold, int Starts, DateTimeOffset FirstStart, DateTimeOffset LastStart, long Observations,
    bool InBaseline, bool? FirstSeenOnHost, Severity Severity)
{
    /// <summary>The incident this evidence counts into: the program's series, any pid (<see cref="IncidentKey.Of"/> of its alert).</summary>
    public IncidentKey IncidentKey =>
        IncidentKey.ForBeacon(Process.ProgramKey, Names?.Domain, CanonicalAddress.Of(Remote.Address), Remote.Port, Transport);

    public AlertRecord ToAlert()
    {
        string? domain = Names?.Domain;
        string novelty = InBaseline ? "a destination in its baseline"
            : FirstSeenOnHost == true ? "a destination new to every program on this host"
            : "a destination new to the program";
        var remote = new IPEndPoint(CanonicalAddress.Of(Remote.Address), Remote.Port);
        TimeSpan span = LastStart - FirstStart;
        string transport = TransportNames.Of(Transport);
        return new AlertRecord
        {
            Timestamp = Context.Now,
            Source = Context.Source,
            Rule = BeaconDetector.RuleName,
            Severity = Severity,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"{Process.Name} (pid {Process.Pid}) {(Transport == Transport.Udp ? "sends to" : "connects to")} {(domain is null ? string.Empty : domain + " ")}{remote} ({transport}, {novelty}) every {HumanFormat.Duration(Score.Period)}: " +
                $"beacon score {Score.Score:0.00} (timing {Score.TimingScore:0.00}{(Score.SizeScore is { } s ? $", size {s:0.00}" : string.Empty)}) " +
                $"over {Starts} connections in {HumanFormat.Duration(span)} ({Observations} observed), threshold {Threshold:0.##}"),
            Process = Process,
            Value = Math.Round(Score.Score, 4),
            Threshold = Threshold,
            Unit = "score",
            Window = span,
            Transport = Transport,
            Local = Local,
            Remote = remote,
            EventsLostInWindow = Context.EventsLostInWindow,
            BaselineSamplesSeen = Context.Baseline.SamplesSeen,
            BaselineSamplesRequired = Context.Baseline.SamplesRequired,
            PeriodSeconds = Score.Period.TotalSeconds,
            Observations = Observations,
            ActivityStart = FirstStart,
            FirstSeenOnHost = FirstSeenOnHost,
            Names = Names, // the series' (and so the incident's) key when it has a name
        };
    }
}
