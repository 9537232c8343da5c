using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetSentinel.Core.Identity;

/// <summary>
/// The machine every line comes from (ECS <c>host.*</c>), read once at start. <see cref="Id"/> is the
/// machine-id (stable across reboots and renames); <see cref="BootId"/> changes at every boot and, with it,
/// makes process entity ids unique across reboots.
/// </summary>
public sealed record HostIdentity
{
    public required string Name { get; init; }
    /// <summary>/etc/machine-id on Linux, MachineGuid on Windows; null when unreadable.</summary>
    public string? Id { get; init; }
    /// <summary>/proc/sys/kernel/random/boot_id on Linux; null elsewhere.</summary>
    public string? BootId { get; init; }
    /// <summary>The host's unicast addresses that name it beyond its own links (<see cref="NamesTheHost"/>), as the interfaces had them at start.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];
    /// <summary><c>host.os.type</c>: <c>linux</c>, <c>windows</c>, <c>macos</c>.</summary>
    public string? OsType { get; init; }
    /// <summary><c>host.os.family</c> and <c>host.os.platform</c>: os-release ID_LIKE's first word / ID (<c>debian</c>, <c>ubuntu</c>).</summary>
    public string? OsFamily { get; init; }
    public string? OsPlatform { get; init; }
    /// <summary><c>host.os.name</c>, <c>host.os.version</c>, <c>host.os.full</c>: os-release NAME, VERSION_ID, PRETTY_NAME.</summary>
    public string? OsName { get; init; }
    public string? OsVersion { get; init; }
    public string? OsFull { get; init; }
    /// <summary><c>host.os.kernel</c>: the kernel release (<c>6.18.0-1-amd64</c>).</summary>
    public string? OsKernel { get; init; }

    /// <summary>This machine, read from the files and interfaces that say it; what cannot be read is left null.</summary>
    public static HostIdentity Current()
    {
        Dictionary<string, string> osRelease = OsRelease.Read("/etc/os-release") ?? OsRelease.Read("/usr/lib/os-release") ?? [];
        string? idLike = osRelease.GetValueOrDefault("ID_LIKE")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return new HostIdentity
        {
            Name = Environment.MachineName,
            Id = MachineId(),
            BootId = CurrentBootId(),
            Addresses = UnicastAddresses(),
            OsType = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : null,
            OsPlatform = osRelease.GetValueOrDefault("ID") ?? (OperatingSystem.IsWindows() ? "windows" : null),
            OsFamily = idLike ?? osRelease.GetValueOrDefault("ID") ?? (OperatingSystem.IsWindows() ? "windows" : null),
            OsName = osRelease.GetValueOrDefault("NAME") ?? (OperatingSystem.IsWindows() ? "Windows" : null),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID") ?? (OperatingSystem.IsWindows() ? Environment.OSVersion.Version.ToString() : null),
            OsFull = osRelease.GetValueOrDefault("PRETTY_NAME") ?? RuntimeInformation.OSDescription,
            OsKernel = OperatingSystem.IsLinux() ? FirstLine("/proc/sys/kernel/osrelease") : Environment.OSVersion.Version.ToString(),
        };
    }

    /// <summary>/etc/machine-id; on Windows the MachineGuid setup writes (what Elastic Agent and Winlogbeat call the host id); else null.</summary>
    public static string? MachineId() => OperatingSystem.IsWindows() ? MachineGuid() : FirstLine("/etc/machine-id");

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static string? MachineGuid()
    {
        try
        {
            using var key = Microsoft.Win32.Registry.LocalMachine.OpenSubKey(@"SOFTWARE\Microsoft\Cryptography");
            return key?.GetValue("MachineGuid") is string { Length: > 0 } guid ? guid : null;
        }
        catch (Exception e) when (e is System.Security.SecurityException or UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The host part of every process entity id (<see cref="EntityId"/>): the machine id, else the host name. Every
    /// source derives it here, so one process has one entity id whichever source saw it.
    /// </summary>
    public static string EntityHostId() => MachineId() ?? Environment.MachineName;

    /// <summary>The kernel's id of this boot, or null where there is none.</summary>
    public static string? CurrentBootId() => FirstLine("/proc/sys/kernel/random/boot_id");

    private static string? FirstLine(string path)
    {
        try
        {
            string? line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
            return string.IsNullOrEmpty(line) ? null : line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether an interface address belongs in <c>host.ip</c>: not loopback, and not link-local (fe80::/10,
    /// 169.254.0.0/16). A link-local address is derived from a MAC or picked at random on every link, means
    /// nothing to a SIEM off that link, and every veth or bridge adds one: they were half of host.ip and ~10 %
    /// of each connection line's bytes on the bench host (issue #15).
    /// </summary>
    internal static bool NamesTheHost(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => !IPAddress.IsLoopback(address) && !address.GetAddressBytes().AsSpan(0, 2).SequenceEqual((ReadOnlySpan<byte>)[169, 254]),
        AddressFamily.InterNetworkV6 => !IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal && !address.IsIPv4MappedToIPv6,
        _ => false,
    };

    private static IPAddress[] UnicastAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(nic => nic.OperationalStatus != OperationalStatus.Down && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
                .Select(unicast => unicast.Address)
                .Where(NamesTheHost)
                .Select(address => address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address)
                .Distinct()
                .ToArray();
        }
        catch (Exception e) when (e is NetworkInformationException or PlatformNotSupportedException or SocketException or InvalidOperationException)
        {
            return [];
        }
    }
}
