namespace NetSentinel.Core.Dns;

/// <summary>The mnemonic ECS's <c>dns.question.type</c> carries ("A", "AAAA", ...), or "TYPE&lt;n&gt;" (RFC 3597) for the rest.</summary>
public static class DnsRecordTypeText
{
    public static string Of(DnsRecordType type) => type switch
    {
        DnsRecordType.A => "A",
        DnsRecordType.Ns => "NS",
        DnsRecordType.Cname => "CNAME",
        DnsRecordType.Soa => "SOA",
        DnsRecordType.Ptr => "PTR",
        DnsRecordType.Mx => "MX",
        DnsRecordType.Txt => "TXT",
        DnsRecordType.Aaaa => "AAAA",
        DnsRecordType.Srv => "SRV",
        DnsRecordType.Https => "HTTPS",
        DnsRecordType.Any => "ANY",
        _ => "TYPE" + ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>ECS <c>dns.response_code</c>: the RFC 1035/6895 names of the common codes.</summary>
    public static string ResponseCode(int code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => "RCODE" + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
