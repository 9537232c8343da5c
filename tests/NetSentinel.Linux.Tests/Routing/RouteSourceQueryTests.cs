using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Routing;

namespace NetSentinel.Linux.Tests.Routing;

/// <summary>RTM_GETROUTE against this machine's routing table, checked against what `ip route get` says (no packet is sent).</summary>
public sealed class RouteSourceQueryTests : IDisposable
{
    private readonly int _fd = RouteSourceQuery.Open();

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    public void LoopbackIsReachedFromLoopback(string destination, string expected)
    {
        Assert.True(_fd >= 0);
        Assert.Equal(IPAddress.Parse(expected), RouteSourceQuery.Ask(_fd, new RouteQuery(IPAddress.Parse(destination), 40000, 53, 0, 0, 0), 1));
    }

    [Theory]
    [InlineData("198.51.100.77", 0u, 0u)]
    [InlineData("198.51.100.77", 0x66u, 1000u)]
    [InlineData("2001:db8::77", 0u, 1000u)]
    public void TheAnswerIsTheSourceIpRouteGetNames(string destination, uint mark, uint uid)
    {
        string? expected = IpRouteGetSource($"{destination} mark {mark} uid {uid} ipproto udp sport 40000 dport 53");
        IPAddress? answer = RouteSourceQuery.Ask(_fd, new RouteQuery(IPAddress.Parse(destination), 40000, 53, 0, mark, uid), 7);
        Assert.Equal(expected, answer?.ToString());
    }

    [Fact]
    public void AnErrorReplyIsAnAnswerWithoutAnAddressAndAnotherSequenceIsSkipped()
    {
        byte[] error = new byte[36];
        BitConverter.TryWriteBytes(error.AsSpan(0), 36U);          // nlmsg_len
        BitConverter.TryWriteBytes(error.AsSpan(4), (ushort)2);    // NLMSG_ERROR
        BitConverter.TryWriteBytes(error.AsSpan(8), 9U);           // nlmsg_seq
        BitConverter.TryWriteBytes(error.AsSpan(16), -101);        // -ENETUNREACH

        Assert.False(RouteSourceQuery.Decode(error, sequence: 8, out _));
        Assert.True(RouteSourceQuery.Decode(error, sequence: 9, out IPAddress? source));
        Assert.Null(source);
    }

    [Fact]
    public void TheRequestCarriesEveryRoutingInput()
    {
        var request = new byte[128];
        int length = RouteSourceQuery.Encode(request, new RouteQuery(IPAddress.Parse("198.51.100.7"), 40000, 53, 3, 0x66, 1000), 5);

        // nlmsghdr 16 + rtmsg 12 + DST 8 + OIF 8 + MARK 8 + UID 8 + IP_PROTO 8 + SPORT 8 + DPORT 8
        Assert.Equal(84, length);
        Assert.Equal(84U, BitConverter.ToUInt32(request, 0));
        Assert.Equal((ushort)26, BitConverter.ToUInt16(request, 4)); // RTM_GETROUTE
        Assert.Equal((byte)32, request[17]);                          // rtm_dst_len
        Assert.Equal(new byte[] { 198, 51, 100, 7 }, request[32..36]); // RTA_DST
    }

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
    }

    private static string? IpRouteGetSource(string args)
    {
        var psi = new ProcessStartInfo("ip", $"-o route get {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var ip = Process.Start(psi)!;
        string output = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        string[] words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(words, "src");
        return ip.ExitCode == 0 && at >= 0 && at + 1 < words.Length ? words[at + 1] : null;
    }
}
