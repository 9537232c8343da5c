using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Dns;

/// <summary>
/// Maps Microsoft-Windows-DNS-Client events into the same <see cref="DnsEvent"/>s the Linux capture produces, so
/// the name cache, the DNS lines and the detectors work unchanged: 3006 (query started) becomes a query, 3008
/// (query completed) an answer whose A/AAAA/CNAME records come from the QueryResults text. The provider gives no
/// TTL (the cache's floor applies), no server address and no message id. Its text is the OS's, but is still
/// bounded like a packet: at most <see cref="DnsMessageParser.MaxAnswers"/> answers, names of at most 253 characters.
/// </summary>
internal sealed class EtwDnsEventMapper(IProcessInfoResolver processes)
{
    public const int QueryStarted = 3006;
    public const int QueryCompleted = 3008;
    private const int MaxNameLength = 253;

    /// <summary>The DNS event for the record; null for an event id this mapper does not use or an unusable name.</summary>
    public DnsEvent? Map(in EtwDnsRecord record)
    {
        if (record.EventId is not (QueryStarted or QueryCompleted) || Normalize(record.QueryName) is not { } name)
        {
            return null;
        }
        bool answer = record.EventId == QueryCompleted;
        var message = new DnsMessage
        {
            Id = 0,
            IsResponse = answer,
            ResponseCode = answer ? ResponseCode(record.QueryStatus) : 0,
            QuestionName = name,
            QuestionType = (DnsRecordType)(ushort)record.QueryType,
            Answers = answer && record.QueryStatus == 0 ? Answers(name, record.QueryResults) : [],
            Complete = true,
        };
        var process = processes.Resolve(record.ProcessId) with { IdentifiedBy = AttributionSource.Etw };
        return new DnsEvent { Timestamp = record.Timestamp, Process = process, Transport = Transport.Udp, Message = message };
    }

    /// <summary>DNS_ERROR_RCODE_* statuses are 9000 + the RCODE; 9501 (no records) is a NOERROR answer without data;
    /// anything else (a timeout, no server) reads as SERVFAIL.</summary>
    private static int ResponseCode(int status) => status switch
    {
        0 or 9501 => 0,
        > 9000 and <= 9015 => status - 9000,
        _ => 2,
    };

    /// <summary>"type:  5 target;" is a CNAME (the chain's next name); any other entry that is an address is an
    /// answer for the asked name. Entries are ';'-separated; unrecognised ones are skipped.</summary>
    private static List<DnsAnswer> Answers(string name, string results)
    {
        var answers = new List<DnsAnswer>();
        string owner = name;
        foreach (string raw in (results ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (answers.Count == DnsMessageParser.MaxAnswers)
            {
                break;
            }
            if (raw.StartsWith("type:", StringComparison.Ordinal))
            {
                string[] parts = raw[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == "5" && Normalize(parts[1]) is { } target)
                {
                    answers.Add(new DnsAnswer(owner, DnsRecordType.Cname, 0, null, target));
                    owner = target;
                }
                continue;
            }
            if (IPAddress.TryParse(raw, out var address))
            {
                if (address.IsIPv4MappedToIPv6)
                {
                    address = address.MapToIPv4();
                }
                var type = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsRecordType.A : DnsRecordType.Aaaa;
                answers.Add(new DnsAnswer(owner, type, 0, address, null));
            }
        }
        return answers;
    }

    private static string? Normalize(string? name)
    {
        name = name?.Trim().TrimEnd('.').ToLowerInvariant();
        return string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl) ? null : name;
    }
}
