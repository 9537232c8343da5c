using System.Net;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>The program's hash carried from the process description: the same keys, equal and hashed as before.</summary>
public class HashedProgramTests
{
    private static readonly ProcessInfo Curl = new() { Pid = 42, Name = "curl", Executable = "/usr/bin/curl" };

    [Fact]
    public void TheCarriedHashIsTheStringsAndADescriptionStillEqualsItsCopy()
    {
        var copy = Curl with { };
        int hash = Curl.ProgramKeyHash; // worked out on one of the two only

        Assert.Equal("/usr/bin/curl".GetHashCode(), hash);
        Assert.Equal(copy, Curl);
        Assert.Equal(copy.GetHashCode(), Curl.GetHashCode());
        Assert.Equal(HashedProgram.Of("/usr/bin/curl"), HashedProgram.Of(Curl));
    }

    [Fact]
    public void ACopyNamingAnotherExecutableHashesItsOwnKey()
    {
        _ = Curl.ProgramKeyHash;
        var wget = Curl with { Executable = "/usr/bin/wget" };
        var truncated = Curl with { ExecutableTruncated = true };

        Assert.Equal("/usr/bin/wget".GetHashCode(), wget.ProgramKeyHash);
        Assert.Equal(truncated.ProgramKey.GetHashCode(), truncated.ProgramKeyHash);
        Assert.NotEqual(HashedProgram.Of(Curl), HashedProgram.Of(truncated));
    }

    [Fact]
    public void ADestinationKeyFromAnEventIsTheKeyNamedByHand()
    {
        var connection = new ConnectionEvent
        {
            Kind = ConnectionEventKind.Opened,
            Timestamp = DateTimeOffset.UnixEpoch,
            ConnectionId = 1,
            Transport = Transport.Tcp,
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000),
            Remote = new IPEndPoint(IPAddress.Parse("198.51.100.9"), 443),
            Process = Curl,
        };
        var byHand = new DestinationKey("/usr/bin/curl", IPAddress.Parse("198.51.100.9"), 443, Transport.Tcp);

        Assert.Equal(byHand, DestinationKey.Of(connection));
        Assert.Equal(byHand.GetHashCode(), DestinationKey.Of(connection).GetHashCode());
        Assert.Contains(DestinationKey.Of(connection), new HashSet<DestinationKey> { byHand });
        Assert.NotEqual(byHand, byHand with { Port = 80 });
    }
}
