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

    /// <summary>The type <see cref="Of"/> wrote as <paramref name="text"/> (replay reads the log back).</summary>
    public static bool TryParse(string text, out DnsRecordType type)
    {
        foreach (var known in Known)
        {
            if (Of(known) == text)
            {
                type = known;
                return true;
            }
        }
        ushort number = 0;
        bool numbered = text.StartsWith("TYPE", StringComparison.Ordinal) &&
            ushort.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
        type = (DnsRecordType)number;
        return numbered;
    }

    /// <summary>The code <see cref="ResponseCode"/> wrote as <paramref name="text"/>.</summary>
    public static bool TryParseResponseCode(string text, out int code)
    {
        for (code = 0; code <= 5; code++)
        {
            if (ResponseCode(code) == text)
            {
                return true;
            }
        }
        return text.StartsWith("RCODE", StringComparison.Ordinal) &&
            int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out code) && code <= 0xFFF;
    }

    private static readonly DnsRecordType[] Known =
    [
        DnsRecordType.A, DnsRecordType.Ns, DnsRecordType.Cname, DnsRecordType.Soa, DnsRecordType.Ptr, DnsRecordType.Mx,
        DnsRecordType.Txt, DnsRecordType.Aaaa, DnsRecordType.Srv, DnsRecordType.Https, DnsRecordType.Any,
    ];

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
