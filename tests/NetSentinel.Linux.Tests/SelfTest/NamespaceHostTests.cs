using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Linux.SelfTest;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.SelfTest;

/// <summary>The self-test's pieces that touch the system: the test host answering for a whole block, and scenario programs named by their links.</summary>
public sealed class NamespaceHostTests
{
    [RootFact]
    public void ATestHostAnswersForAWholeBlockAndLeavesNothingBehind()
    {
        string block = "198.19.252.0/22"; // the self-test derives its /22 from the slot; this test takes one no slot gives
        string name;
        using (var host = new NamespaceHost("nsq"))
        {
            name = host.Namespace;
            host.AnswerFor(block);
            using var listener = host.ListenTcp(IPAddress.IPv6Any, 0);
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            foreach (string address in new[] { "198.19.252.1", "198.19.255.254" })
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(IPAddress.Parse(address), port); // any address of the block, one listener
                using var accepted = listener.Accept();
                Assert.Equal(address, ((IPEndPoint)accepted.LocalEndPoint!).Address.MapToIPv4().ToString());
            }
            using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var watch = Stopwatch.StartNew();
            var refused = Assert.Throws<SocketException>(() => closed.Connect(IPAddress.Parse("198.19.253.9"), 22));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode); // a reset at once, not a timeout
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"refused after {watch.Elapsed}");
        }
        Assert.DoesNotContain(name, TestNetwork.Run("ip", "netns list").Output);
        Assert.DoesNotContain("198.19.252.0/22", TestNetwork.Run("ip", "route").Output);
    }

    [RootFact]
    public void EachScenarioProgramIsNamedByTheKernelAfterItsOwnLink()
    {
        var dir = Directory.CreateTempSubdirectory("ns-programs-");
        try
        {
            var programs = ScenarioPrograms.Create("/bin/sleep", dir.FullName, ["port-sweep", "heartbeat"]);
            foreach (var (name, path) in programs)
            {
                using var p = Process.Start(path, "5");
                try
                {
                    Assert.Equal(path, new FileInfo($"/proc/{p.Id}/exe").LinkTarget);
                    Assert.Equal(name, File.ReadAllText($"/proc/{p.Id}/comm").Trim());
                }
                finally
                {
                    p.Kill();
                    p.WaitForExit();
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
