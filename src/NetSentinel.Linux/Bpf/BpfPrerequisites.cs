using NetSentinel.Linux.Bpf.Native;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>Checks, before loading anything, that this process can run the eBPF source; says what is missing when not.</summary>
internal static class BpfPrerequisites
{
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;

    public static string? Check(string statusPath = "/proc/self/status", string btfPath = "/sys/kernel/btf/vmlinux")
    {
        if (!OperatingSystem.IsLinux()) return "the eBPF source needs Linux";
        if (!File.Exists(btfPath)) return $"the kernel exposes no BTF ({btfPath}): the eBPF source needs a kernel built with CONFIG_DEBUG_INFO_BTF";
        if (!LibBpf.TryLoad(out string? noLibrary)) return noLibrary;
        if (LibC.Geteuid() == 0) return null;
        return MissingCapabilities(ReadEffectiveCapabilities(statusPath));
    }

    /// <summary>Null when the effective capability set is enough, else the message naming what is missing.</summary>
    public static string? MissingCapabilities(ulong effective)
    {
        bool Has(int cap) => (effective & (1UL << cap)) != 0;
        var missing = new List<string>();
        // Before Linux 5.8 CAP_SYS_ADMIN stood for CAP_BPF and CAP_PERFMON; it still implies them.
        if (!Has(CapBpf) && !Has(CapSysAdmin)) missing.Add("CAP_BPF");
        if (!Has(CapPerfmon) && !Has(CapSysAdmin)) missing.Add("CAP_PERFMON");
        if (!Has(CapNetAdmin)) missing.Add("CAP_NET_ADMIN");
        return missing.Count == 0 ? null
            : $"the eBPF source needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (missing: {string.Join(", ", missing)})";
    }

    private static ulong ReadEffectiveCapabilities(string statusPath)
    {
        foreach (string line in File.ReadLines(statusPath))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16);
        }
        return 0;
    }
}
