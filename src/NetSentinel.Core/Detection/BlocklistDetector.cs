using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// blocklisted_destination: a connection attempt (or a new UDP flow) to an address on the block list, alerted at
/// connect time with High severity. Value is 1 (this attempt) against a Threshold of 0 allowed; Unit "destination".
/// </summary>
public sealed class BlocklistDetector(AddressSet blocklist) : IDetector
{
    public const string RuleName = "blocklisted_destination";

    public string Rule => RuleName;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        if (connectionEvent.Kind != ConnectionEventKind.Opened || !blocklist.Contains(connectionEvent.Remote.Address))
        {
            return null;
        }
        var remote = new System.Net.IPEndPoint(CanonicalAddress.Of(connectionEvent.Remote.Address), connectionEvent.Remote.Port);
        string transport = TransportNames.Of(connectionEvent.Transport);
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = Severity.High,
            Message = $"{connectionEvent.Process.Name} (pid {connectionEvent.Process.Pid}) connected to blocklisted destination {remote} ({transport})",
            Process = connectionEvent.Process,
            Value = 1,
            Threshold = 0,
            Unit = "destination",
            Window = TimeSpan.Zero,
            Transport = connectionEvent.Transport,
            Local = connectionEvent.Local,
            Remote = remote,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
        };
    }

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
    }
}
