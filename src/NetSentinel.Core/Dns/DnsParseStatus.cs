namespace NetSentinel.Core.Dns;

/// <summary>What the parser made of a packet.</summary>
public enum DnsParseStatus
{
    /// <summary>A standard query or response with one question.</summary>
    Parsed,
    /// <summary>Well-formed but nothing the cache uses (another opcode, no question or several).</summary>
    Ignored,
    /// <summary>Broken or hostile: truncated, a compression loop or forward pointer, a reserved label type,
    /// a name over 255 bytes, an address record of the wrong length. Counted, never acted on.</summary>
    Malformed,
}
