using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

public class CgroupPathParserTests
{
    private const string Id = "4f1c3e5b2a7d9c0e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d0e";
    private const string Uid = "0d4f8b6e-3c1a-4e2b-9f7d-5a6b8c9d0e1f";
    private const string UidUnderscored = "0d4f8b6e_3c1a_4e2b_9f7d_5a6b8c9d0e1f";

    [Theory]
    // docker, systemd and cgroupfs drivers
    [InlineData("/system.slice/docker-" + Id + ".scope", Id, "docker", null, null)]
    [InlineData("/docker/" + Id, Id, "docker", null, null)]
    // containerd under Kubernetes, systemd driver, each QoS class
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UidUnderscored + ".slice/cri-containerd-" + Id + ".scope", Id, "containerd", Uid, "burstable")]
    [InlineData("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UidUnderscored + ".slice/cri-containerd-" + Id + ".scope", Id, "containerd", Uid, "besteffort")]
    [InlineData("/kubepods.slice/kubepods-pod" + UidUnderscored + ".slice/cri-containerd-" + Id + ".scope", Id, "containerd", Uid, "guaranteed")]
    // cgroupfs driver under Kubernetes: the path does not name the runtime
    [InlineData("/kubepods/burstable/pod" + Uid + "/" + Id, Id, null, Uid, "burstable")]
    [InlineData("/kubepods/pod" + Uid + "/" + Id, Id, null, Uid, "guaranteed")]
    [InlineData("/kubepods/besteffort/pod" + Uid, null, null, Uid, "besteffort")]
    // CRI-O, podman (system and rootless), nerdctl
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UidUnderscored + ".slice/crio-" + Id + ".scope", Id, "cri-o", Uid, "burstable")]
    [InlineData("/machine.slice/libpod-" + Id + ".scope", Id, "podman", null, null)]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + Id + ".scope/container", Id, "podman", null, null)]
    [InlineData("/system.slice/nerdctl-" + Id + ".scope", Id, "containerd", null, null)]
    [InlineData("/default/" + Id, Id, null, null, null)]
    // systemd-nspawn (escaped unit name) and lxc
    [InlineData("/machine.slice/machine-build\\x2dbox.scope/payload", "build-box", "systemd-nspawn", null, null)]
    [InlineData("/lxc.payload.web1/system.slice", "web1", "lxc", null, null)]
    public void ContainersAndPods(string path, string? id, string? runtime, string? podUid, string? qos)
    {
        ContainerIdentity? identity = CgroupPathParser.Parse(path);
        Assert.NotNull(identity);
        Assert.Equal(new ContainerIdentity { Id = id, Runtime = runtime, PodUid = podUid, QosClass = qos }, identity);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/user.slice/user-1000.slice/session-3.scope")]
    [InlineData("/system.slice/ssh.service")]
    // CRI-O's and podman's monitor processes run beside the container, not in it
    [InlineData("/machine.slice/crio-conmon-" + Id + ".scope")]
    [InlineData("/machine.slice/libpod-conmon-" + Id + ".scope")]
    // a libvirt VM's qemu process is on the host
    [InlineData("/machine.slice/machine-qemu\\x2d1\\x2dwin11.scope/libvirt/emulator")]
    // a name that only looks like an id
    [InlineData("/docker/" + "4F1C3E5B2A7D9C0E8F6A1B3C5D7E9F0A2B4C6D8E0F1A3B5C7D9E1F3A5B7C9D0E")]
    [InlineData("/system.slice/docker-1234.scope")]
    public void HostProcesses(string? path)
    {
        Assert.Null(CgroupPathParser.Parse(path));
    }

    [Fact]
    public void TheInnermostContainerIsWhereTheProcessRuns()
    {
        string inner = new('a', 64);
        ContainerIdentity? identity = CgroupPathParser.Parse("/docker/" + Id + "/docker/" + inner);
        Assert.Equal(inner, identity?.Id);
    }
}
