using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Bpf;

/// <summary>The kernel's UDP flow map as the translator needs it: a flow's final counters, taken out when its process exits.</summary>
internal interface IUdpFlowTable
{
    /// <summary>Reads and deletes the flow under <paramref name="key"/>; false when it is not there or is another flow (not <paramref name="connId"/>).</summary>
    bool TryTake(in NsUdpKey key, ulong connId, out NsUdpFlow flow);
}
