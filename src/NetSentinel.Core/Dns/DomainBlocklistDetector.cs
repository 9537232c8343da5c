using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Dns;

/// <summary>
/// blocklisted_destination by name: a query for a name on dns.blocklist_file (alerted when the query is seen,
/// before any connection), and a connection to an address a process resolved from such a name. High severity,
/// Value 1 against a Threshold of 0 allowed, Unit "destination" — the same rule as the address block list.
/// </summary>
public sealed class DomainBlocklistDetector(DomainBlocklist blocklist)
{
    public AlertRecord? OnQuery(DnsEvent query, DnsMessage message, AlertContext context)
    {
        if (blocklist.Match(message.QuestionName) is not { } entry)
        {
            return null;
        }
        return Alert(context, query.Process, query.Transport, query.Local, query.Server, names: null, message.QuestionName,
            $"{query.Process.Name} (pid {query.Process.Pid}) queried blocklisted name {message.QuestionName} (matches {entry})");
    }

    public AlertRecord? OnConnection(ConnectionEvent connectionEvent, AlertContext context)
    {
        if (connectionEvent.Kind != ConnectionEventKind.Opened || connectionEvent.Names is not { } names)
        {
            return null;
        }
        foreach (string name in names.Others.Prepend(names.Domain))
        {
            if (blocklist.Match(name) is { } entry)
            {
                string transport = TransportNames.Of(connectionEvent.Transport);
                return Alert(context, connectionEvent.Process, connectionEvent.Transport, connectionEvent.Local, connectionEvent.Remote, names, queried: null,
                    $"{connectionEvent.Process.Name} (pid {connectionEvent.Process.Pid}) connected to {connectionEvent.Remote} ({transport}), " +
                    $"resolved from blocklisted name {name} (matches {entry})");
            }
        }
        return null;
    }

    private static AlertRecord Alert(AlertContext context, ProcessInfo process, Transport transport, System.Net.IPEndPoint? local,
        System.Net.IPEndPoint? remote, DomainNames? names, string? queried, string message) => new()
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = BlocklistDetector.RuleName,
            Severity = Severity.High,
            Message = message,
            Process = process,
            Value = 1,
            Threshold = 0,
            Unit = "destination",
            Window = TimeSpan.Zero,
            Transport = transport,
            Local = local,
            Remote = remote,
            Names = names,
            QueriedName = queried,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
        };
}
