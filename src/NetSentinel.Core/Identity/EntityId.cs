using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace NetSentinel.Core.Identity;

/// <summary>
/// <c>process.entity_id</c>: one process, for ever. A pid is reused within minutes and restarts at 1 after a
/// reboot; host id + boot id + pid + start time is not. The start time is in clock ticks since boot
/// (USER_HZ, what /proc/PID/stat field 22 holds and what the kernel's start_boottime rounds to), so the eBPF
/// source and a /proc reader name the same process the same way. Hashed so the id is short and says nothing
/// about the host; 16 bytes of SHA-256 make a collision among the processes of a fleet's lifetime negligible.
/// </summary>
public static class EntityId
{
    /// <summary>Linux USER_HZ: the unit of /proc start times.</summary>
    public const long TicksPerSecond = 100;

    public static string Derive(string hostId, string bootId, int pid, ulong startTicks)
    {
        ArgumentNullException.ThrowIfNull(hostId);
        ArgumentNullException.ThrowIfNull(bootId);
        string material = string.Create(CultureInfo.InvariantCulture, $"{hostId}|{bootId}|{pid}|{startTicks}");
        Span<byte> digest = stackalloc byte[Sha256.HashSizeInBytes];
        Sha256.HashData(Encoding.UTF8.GetBytes(material), digest); // managed: the platform's would load libcrypto for this alone
        // URL-safe base64 without padding: 22 characters, safe in a URL or a file name.
        return Base64Url.EncodeToString(digest[..16]);
    }

    /// <summary>Kernel nanoseconds since boot (task start_boottime) in the /proc unit.</summary>
    public static ulong TicksFromBootNanoseconds(ulong nanoseconds) => nanoseconds / (1_000_000_000 / TicksPerSecond);
}
