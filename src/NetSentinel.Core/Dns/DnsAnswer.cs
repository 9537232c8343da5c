using System.Net;

namespace NetSentinel.Core.Dns;

/// <summary>
/// One resource record of the answer section that the cache can use: an address (A/AAAA) or an alias (CNAME).
/// </summary>
/// <param name="Name">The owner name, lower case.</param>
/// <param name="Ttl">Seconds, as sent (a TTL with the top bit set counts as 0, RFC 2181 §8).</param>
/// <param name="Address">A/AAAA: the address.</param>
/// <param name="Target">CNAME: the canonical name the owner is an alias of.</param>
public sealed record DnsAnswer(string Name, DnsRecordType Type, uint Ttl, IPAddress? Address, string? Target)
{
    /// <summary>The record's data as ECS <c>dns.answers.data</c> shows it.</summary>
    public string Data => Address?.ToString() ?? Target ?? string.Empty;
}
