namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Live BPF tests run one at a time: they count programs in `bpftool prog list` and measure loss.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BpfTestCollection
{
    public const string Name = "live bpf";
}
