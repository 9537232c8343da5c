namespace NetSentinel.Core.Identity;

/// <summary>
/// Where a process runs, as its cgroup path tells: the container (<c>container.id</c>, <c>container.runtime</c>)
/// and, under Kubernetes, the pod. Any part may be unknown: a pod's pause-less system process has a pod but no
/// container; a systemd-nspawn machine has a name but no pod.
/// </summary>
public sealed record ContainerIdentity
{
    /// <summary>The runtime's id: 64 hex characters (docker, containerd, CRI-O, podman) or the machine name (nspawn, lxc).</summary>
    public string? Id { get; init; }
    /// <summary><c>docker</c>, <c>containerd</c>, <c>cri-o</c>, <c>podman</c>, <c>systemd-nspawn</c>, <c>lxc</c>; null when the path does not say.</summary>
    public string? Runtime { get; init; }
    /// <summary>The Kubernetes pod UID (dashed form).</summary>
    public string? PodUid { get; init; }
    /// <summary>The pod's QoS class: <c>guaranteed</c>, <c>burstable</c> or <c>besteffort</c>.</summary>
    public string? QosClass { get; init; }
}
