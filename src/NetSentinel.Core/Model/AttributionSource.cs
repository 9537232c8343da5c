namespace NetSentinel.Core.Model;

/// <summary>How the process behind an event was identified; reported on every alert so a reader can judge how far to trust it.</summary>
public enum AttributionSource : byte
{
    /// <summary>No process could be found (the socket had no owner we could see, or we lacked the privilege).</summary>
    Unknown,
    /// <summary>Captured in the kernel at the moment of the event (eBPF).</summary>
    Kernel,
    /// <summary>Read from /proc after the fact (snapshot, polling, or enrichment of a kernel event).</summary>
    Proc,
    /// <summary>Taken from an ETW event payload (Windows).</summary>
    Etw,
    /// <summary>Taken from the IP Helper tables (Windows snapshot).</summary>
    IpHelper,
}
