using System.Net;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

/// <summary>
/// The published vectors: corelight/community-id-spec baseline/baseline_deflt.json (seed 0). The ICMP rows
/// there give type and code already mapped to port equivalents, so they exercise the same ordering.
/// </summary>
public class CommunityIdTests
{
    [Theory]
    [InlineData(58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=")]
    [InlineData(58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=")]
    [InlineData(58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=")]
    [InlineData(58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=")]
    [InlineData(58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=")]
    [InlineData(58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=")]
    [InlineData(58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=")]
    [InlineData(58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=")]
    [InlineData(58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=")]
    [InlineData(58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=")]
    [InlineData(1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData(1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData(1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=")]
    [InlineData(6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=")]
    [InlineData(6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=")]
    [InlineData(132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=")]
    [InlineData(132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=")]
    [InlineData(6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")]
    [InlineData(6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")]
    [InlineData(17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=")]
    [InlineData(17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=")]
    public void PublishedVectorsWithPorts(byte protocol, string source, string destination, int sourcePort, int destinationPort, string expected)
    {
        Assert.Equal(expected, CommunityId.Compute(IPAddress.Parse(source), sourcePort, IPAddress.Parse(destination), destinationPort, protocol));
    }

    [Theory]
    [InlineData("10.1.12.1", "10.1.12.2")]
    [InlineData("10.1.12.2", "10.1.12.1")]
    public void PublishedVectorsWithoutPorts(string source, string destination)
    {
        Assert.Equal("1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", CommunityId.ComputeWithoutPorts(IPAddress.Parse(source), IPAddress.Parse(destination), 46));
    }

    [Fact]
    public void AMappedIPv4AddressHashesAsTheIPv4Address()
    {
        Assert.Equal(
            CommunityId.Compute(IPAddress.Parse("192.168.1.52"), 54585, IPAddress.Parse("8.8.8.8"), 53, CommunityId.Udp),
            CommunityId.Compute(IPAddress.Parse("::ffff:192.168.1.52"), 54585, IPAddress.Parse("::ffff:8.8.8.8"), 53, CommunityId.Udp));
    }

    [Fact]
    public void MixedFamiliesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => CommunityId.Compute(IPAddress.Parse("192.0.2.1"), 1, IPAddress.Parse("2001:db8::1"), 2, CommunityId.Tcp));
    }
}
