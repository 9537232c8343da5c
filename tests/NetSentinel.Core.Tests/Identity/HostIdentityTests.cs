using System.Net;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

public class HostIdentityTests
{
    [Theory]
    [InlineData("198.51.100.1", true)]
    [InlineData("192.0.2.2", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("fd00::2", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("169.254.10.1", false)]
    [InlineData("fe80::fc:ff:fe00:1", false)]
    [InlineData("fe80::f497:98ff:fe08:ffeb%3", false)]
    public void HostIpHoldsNeitherLoopbackNorLinkLocalAddresses(string address, bool named)
    {
        Assert.Equal(named, HostIdentity.NamesTheHost(IPAddress.Parse(address)));
    }

    [Fact]
    public void ThisMachinesHostIpHasNoLinkLocalOrLoopbackAddress()
    {
        foreach (IPAddress address in HostIdentity.Current().Addresses)
        {
            Assert.False(IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.ToString().StartsWith("169.254.", StringComparison.Ordinal), address.ToString());
            Assert.Equal(0, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? address.ScopeId : 0);
        }
    }
}
