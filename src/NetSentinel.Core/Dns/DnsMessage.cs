namespace NetSentinel.Core.Dns;

/// <summary>A parsed DNS query or response: its single question and the A/AAAA/CNAME answers.</summary>
public sealed record DnsMessage
{
    public required ushort Id { get; init; }
    public required bool IsResponse { get; init; }
    /// <summary>RCODE (0 = NOERROR, 3 = NXDOMAIN, ...).</summary>
    public required int ResponseCode { get; init; }
    /// <summary>The question's name, lower case, without the trailing dot ("" for the root).</summary>
    public required string QuestionName { get; init; }
    public required DnsRecordType QuestionType { get; init; }
    /// <summary>A, AAAA and CNAME records of the class IN from the answer section, in wire order; other types are skipped.</summary>
    public required IReadOnlyList<DnsAnswer> Answers { get; init; }
    /// <summary>False when only a prefix of the message was captured and the answer section ran past it.</summary>
    public required bool Complete { get; init; }
}
