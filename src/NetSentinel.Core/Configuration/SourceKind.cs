namespace NetSentinel.Core.Configuration;

/// <summary>Which live source the continuous monitor uses.</summary>
public enum SourceKind
{
    /// <summary>The best the host allows: eBPF (Linux) or ETW (Windows) with privilege, else polling.</summary>
    Auto,
    Ebpf,
    Etw,
    Poll,
}
