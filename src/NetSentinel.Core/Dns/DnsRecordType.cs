namespace NetSentinel.Core.Dns;

/// <summary>The resource record types the name cache uses; any other type is kept as its number.</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Mx = 15,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Https = 65,
    Any = 255,
}
