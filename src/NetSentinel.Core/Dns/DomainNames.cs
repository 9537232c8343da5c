namespace NetSentinel.Core.Dns;

/// <summary>The names known for a connection's destination address.</summary>
/// <param name="Domain">The most recent name the connecting process resolved to the address; when it resolved
/// none, the most recent name any process resolved to it (ECS <c>destination.domain</c>).</param>
/// <param name="Others">Other names seen for the address, most recent first (<c>net_sentinel.domains</c>); may be empty.</param>
public sealed record DomainNames(string Domain, IReadOnlyList<string> Others)
{
    /// <summary>The registrable domain of <see cref="Domain"/>.</summary>
    public string RegistrableDomain => Dns.RegistrableDomain.Of(Domain);
}
