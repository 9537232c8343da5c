using System.Net;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Tests.Bpf;

public sealed class RecentAddressesTests
{
    private readonly RecentAddresses _addresses = new();

    private IPAddress Get(string text, ushort? family = null, byte garbage = 0)
    {
        IPAddress parsed = IPAddress.Parse(text);
        var field = new byte[16];
        Array.Fill(field, garbage); // what lies beyond an IPv4 address in the kernel's 16-byte field is not the address
        parsed.GetAddressBytes().CopyTo(field, 0);
        return _addresses.Get(family ?? (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? NsAbi.AfInet6 : NsAbi.AfInet), field);
    }

    [Fact]
    public void TheSameAddressIsDecodedOnceAndHandedBackAsTheSameObject()
    {
        IPAddress first = Get("198.51.100.2");
        Assert.Same(first, Get("198.51.100.2", garbage: 0xAB));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), first);
    }

    [Fact]
    public void EveryAddressDecodesToItselfWhateverItsSlotHeldBefore()
    {
        // 2,000 addresses through 64 slots: most collide, none may come back as another.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 1000; i++)
            {
                string v4 = $"198.18.{i / 250}.{i % 250}";
                string v6 = $"2001:db8::{i:x}";
                Assert.Equal(IPAddress.Parse(v4), Get(v4));
                Assert.Equal(IPAddress.Parse(v6), Get(v6));
            }
        }
    }

    [Fact]
    public void AnIpv4AddressAndAnIpv6AddressWithTheSameFirstBytesStayApart()
    {
        Assert.Equal(IPAddress.Parse("198.51.100.2"), Get("198.51.100.2"));
        // The same first four bytes, zeros after: as AF_INET6 this is c633:6402::, not 198.51.100.2.
        Assert.Equal(IPAddress.Parse("c633:6402::"), Get("198.51.100.2", NsAbi.AfInet6));
    }

    [Fact]
    public void AnIpv4MappedIpv6AddressIsReportedAsIpv4LikeEveryOtherDecode()
    {
        Assert.Equal(IPAddress.Parse("198.51.100.7"), Get("::ffff:198.51.100.7"));
    }
}
