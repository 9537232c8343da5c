using System.Text.RegularExpressions;

namespace NetSentinel.Core.Identity;

/// <summary>
/// Reads container and pod identity out of a cgroup v2 path, by the naming conventions of the runtimes
/// (cgroupfs and systemd drivers both). Only the path is trusted: a process cannot rename its own cgroup
/// without the write access to the hierarchy that root inside a runtime does not have by default.
/// </summary>
public static partial class CgroupPathParser
{
    /// <summary>The identity the path shows, or null when it shows neither a container nor a pod.</summary>
    public static ContainerIdentity? Parse(string? cgroupPath)
    {
        if (string.IsNullOrEmpty(cgroupPath))
        {
            return null;
        }

        string[] segments = cgroupPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? podUid = null;
        string? qos = null;
        string? id = null;
        string? runtime = null;
        string? previous = null;

        foreach (string segment in segments)
        {
            if (PodSegment(segment) is var (uid, qosClass))
            {
                (podUid, qos, previous) = (uid, qosClass ?? qos, segment);
                continue;
            }

            if (segment is "besteffort" or "burstable" && qos is null)
            {
                // cgroupfs driver: kubepods/<qos>/pod<uid>/<container>
                qos = segment;
            }
            else if (ContainerSegment(segment, previous) is var (containerId, containerRuntime))
            {
                // The innermost container wins (a container nested in a container is where the process runs).
                (id, runtime) = (containerId, containerRuntime);
            }

            previous = segment;
        }

        if (id is null && podUid is null)
        {
            return null;
        }

        return new ContainerIdentity { Id = id, Runtime = runtime, PodUid = podUid, QosClass = podUid is null ? null : qos ?? "guaranteed" };
    }

    private static (string Uid, string? Qos)? PodSegment(string segment)
    {
        // systemd driver: kubepods-burstable-pod<uid with '_'>.slice, kubepods-pod<uid>.slice (guaranteed)
        Match systemd = SystemdPod().Match(segment);
        if (systemd.Success)
        {
            string? qos = systemd.Groups["qos"].Success ? systemd.Groups["qos"].Value : null;
            return (systemd.Groups["uid"].Value.Replace('_', '-'), qos);
        }

        // cgroupfs driver: pod<uid>
        Match plain = PlainPod().Match(segment);
        return plain.Success ? (plain.Groups["uid"].Value, null) : null;
    }

    private static (string Id, string? Runtime)? ContainerSegment(string segment, string? parent)
    {
        Match scoped = ScopedContainer().Match(segment);
        if (scoped.Success)
        {
            string runtime = scoped.Groups["prefix"].Value switch
            {
                "docker" => "docker",
                "cri-containerd" or "nerdctl" => "containerd",
                "crio" => "cri-o",
                _ => "podman", // libpod
            };
            return (scoped.Groups["id"].Value, runtime);
        }

        if (BareId().IsMatch(segment))
        {
            // cgroupfs driver: docker/<id>; a pod's <id> or containerd's <namespace>/<id> does not say which runtime.
            return (segment, parent == "docker" ? "docker" : null);
        }

        // libvirt names its virtual machines machine-qemu\x2d1\x2dname.scope: a VM's qemu runs on the host, not in a container.
        Match machine = NspawnMachine().Match(segment);
        if (machine.Success && !machine.Groups["name"].Value.StartsWith("qemu", StringComparison.Ordinal))
        {
            return (Unescape(machine.Groups["name"].Value), "systemd-nspawn");
        }

        Match lxc = LxcPayload().Match(segment);
        return lxc.Success ? (lxc.Groups["name"].Value, "lxc") : null;
    }

    /// <summary>systemd escapes '-' in unit names as \x2d (machine-my\x2dbox.scope is the machine my-box).</summary>
    private static string Unescape(string unitName) => Regex.Replace(unitName, @"\\x([0-9a-fA-F]{2})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [GeneratedRegex(@"^kubepods(?:-(?<qos>besteffort|burstable))?-pod(?<uid>[0-9a-fA-F_]{36})\.slice$")]
    private static partial Regex SystemdPod();

    [GeneratedRegex(@"^pod(?<uid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    private static partial Regex PlainPod();

    [GeneratedRegex(@"^(?<prefix>docker|cri-containerd|crio|libpod|nerdctl)-(?<id>[0-9a-f]{64})\.scope$")]
    private static partial Regex ScopedContainer();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex BareId();

    [GeneratedRegex(@"^machine-(?<name>.+)\.scope$")]
    private static partial Regex NspawnMachine();

    [GeneratedRegex(@"^lxc\.payload\.(?<name>.+)$")]
    private static partial Regex LxcPayload();
}
