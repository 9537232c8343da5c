using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The kernel's UDP flow map, for tests: flows by conn_id (the translator only ever asks for the one it tracks).</summary>
internal sealed class FakeUdpFlowTable : IUdpFlowTable
{
    public Dictionary<ulong, NsUdpFlow> Flows { get; } = [];

    public bool TryTake(in NsUdpKey key, ulong connId, out NsUdpFlow flow) =>
        Flows.Remove(connId, out flow) && flow.Task.Tgid == key.Tgid;
}
