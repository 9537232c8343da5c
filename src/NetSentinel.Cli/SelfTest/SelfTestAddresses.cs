using System.Net;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// Where the self-test's hosts are: the namespace test host's link (<see cref="HostV4"/> here, <see cref="PeerV4"/> and
/// <see cref="PeerV6"/> there: the "known servers" and the port sweep's target) and a /22 of 198.19.0.0/16 the test host
/// answers for as a whole (<see cref="Block"/>: <see cref="InBlock"/>(0, n) .. (3, n) — hosts in blocks new to every
/// program: a sweep's hosts, CDN hosts, a command-and-control server, a drop site).
/// </summary>
public sealed record SelfTestAddresses(IPAddress HostV4, IPAddress PeerV4, IPAddress PeerV6, int BlockThirdOctet)
{
    /// <summary>The /22 from the host's slot, so two self-tests (or a self-test and a test suite) never share one.</summary>
    public static int ThirdOctetFor(int slot) => slot * 4;

    public string Block => $"198.19.{BlockThirdOctet}.0/22";

    /// <summary>Host <paramref name="host"/> (1..254) of the <paramref name="subnet"/>th /24 (0..3) of the block.</summary>
    public IPAddress InBlock(int subnet, int host) => IPAddress.Parse($"198.19.{BlockThirdOctet + subnet}.{host}");
}
