using System.Reflection;

namespace NetSentinel.Cli;

/// <summary>
/// The one line <c>--version</c> prints: <c>net-sentinel 0.2.0 (commit abc1234, bpf abi 1)</c>. A security team
/// matches a running binary to a release, its source commit and the kernel program ABI it carries.
/// </summary>
public static class VersionText
{
    private const int ShortCommitLength = 7;

    public static string Describe(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        // The SDK stamps "<Version>+<full commit>" when it builds from a git checkout.
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        string version = plus < 0 ? informational : informational[..plus];
        string commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
        if (commit.Length > ShortCommitLength) commit = commit[..ShortCommitLength];
        // Stamped by NetSentinel.Cli.csproj from NS_ABI_VERSION in bpf/netsentinel.h, the object's single definition.
        string abi = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BpfAbiVersion")?.Value ?? "unknown";
        return $"net-sentinel {version} (commit {commit}, bpf abi {abi})";
    }
}
