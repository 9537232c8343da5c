using System.Net;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Routing;
using NetSentinel.Tests.Shared;
using static NetSentinel.Linux.Tests.Bpf.GoldenRecords;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Which UDP flows ask the routing table for their source, with what, and what an answer or its absence makes of the flow.</summary>
public sealed class UdpSourceAddressTests : IDisposable
{
    private static readonly NsSockRoute Route = new() { Netns = 4026531840, BoundDevIf = 7, Mark = 0x66, Uid = 1000 };
    private readonly string _proc = Directory.CreateTempSubdirectory("ns-fakeproc-").FullName;
    private readonly FakeRoutes _routes = new();
    private readonly EventRecorder _events = new();
    private readonly BpfRecordDecoder _decoder;

    public UdpSourceAddressTests()
    {
        var translator = new BpfEventTranslator(new FlowLedger<ulong>(TimeProvider.System), new ProcessCatalog(_proc), new FakeUdpFlowTable(), _routes);
        _decoder = new BpfRecordDecoder(translator);
    }

    [Fact]
    public void AnUnboundSocketsFlowAsksWithTheSocketsRoutingInputsAndCarriesTheAnswer()
    {
        _routes.Answer = IPAddress.Parse("198.51.100.9");
        Decode(UdpFlow(1, 1_000, Task(300, "tool") with { Pid = 301 }, Ends("0.0.0.0", 41000, "198.51.100.53", 53, NsAbi.ProtoUdp), Route));

        ConnectionEvent opened = Assert.Single(_events.Events);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 41000), opened.Local);
        var (ns, tid, tgid, query) = Assert.Single(_routes.Asked);
        Assert.Equal((4026531840UL, 301U, 300U), (ns, tid, tgid));
        Assert.Equal(new RouteQuery(IPAddress.Parse("198.51.100.53"), 41000, 53, 7, 0x66, 1000), query);
    }

    [Fact]
    public void WithoutAnAnswerTheSourceStaysUnspecifiedSoTheLineHasNoSourceIp()
    {
        Decode(UdpFlow(1, 1_000, Task(300), Ends("::", 41000, "2001:db8::53", 53, NsAbi.ProtoUdp), Route));

        Assert.Equal(IPAddress.IPv6Any, Assert.Single(_events.Events).Local.Address);
        Assert.Single(_routes.Asked);
    }

    [Fact]
    public void ABoundSocketAndARecordWithoutRoutingInputsAreNotAsked()
    {
        Decode(UdpFlow(1, 1_000, Task(300), Ends("198.51.100.1", 41000, "198.51.100.53", 53, NsAbi.ProtoUdp), Route));
        Decode(UdpFlow(2, 1_000, Task(300), Ends("0.0.0.0", 41001, "198.51.100.53", 53, NsAbi.ProtoUdp))); // netns 0: not read

        Assert.Equal([IPAddress.Parse("198.51.100.1"), IPAddress.Any], _events.Events.Select(e => e.Local.Address));
        Assert.Empty(_routes.Asked);
    }

    private void Decode(byte[] record) => _decoder.Decode(record, _events);

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    private sealed class FakeRoutes : IRouteSourceResolver
    {
        public IPAddress? Answer { get; set; }
        public List<(ulong Namespace, uint Tid, uint Tgid, RouteQuery Query)> Asked { get; } = [];

        public IPAddress? SourceFor(ulong networkNamespace, uint tid, uint tgid, in RouteQuery query)
        {
            Asked.Add((networkNamespace, tid, tgid, query));
            return Answer;
        }
    }
}
