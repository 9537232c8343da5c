using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Native;
using NetSentinel.Core.Output;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// The executable and command line captured in the kernel at exec, on the real eBPF source: the file actually executed
/// (not the path string given to execve), and the command line the process had when it connected.
/// </summary>
[Collection(BpfTestCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecIdentityLiveTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine("/tmp", $"ns-context-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public ExecIdentityLiveTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void ASymlinkRepointedAfterExecStillNamesTheFileThatWasExecuted()
    {
        string bash = LibC.RealPath("/bin/bash")!;
        string link = Path.Combine(_dir, "prog");
        File.CreateSymbolicLink(link, bash);
        ProcessInfo process = ConnectFrom(link, "sleep 0.5", afterStart: () =>
        {
            // Repointed while the program runs, before it connects: /proc/PID/exe still names bash, but a path string
            // resolved at connect time would now name sh.
            File.Delete(link);
            File.CreateSymbolicLink(link, LibC.RealPath("/bin/sh")!);
        });

        Assert.Equal(bash, process.Executable);
        Assert.False(process.ExecutableTruncated);
        var (device, inode) = DeviceAndInode(bash);
        Assert.Equal(inode, process.ExecutableInode);
        Assert.Equal(device, process.ExecutableDevice);
    }

    [RootFact]
    public void AProgramWhosePathIs257BytesLongIsNamedInFull()
    {
        string directory = _dir + "/";
        while (directory.Length < 257 - "/chronyd/x".Length) directory += directory.Length % 60 == 0 ? "/" : "a";
        directory = directory.TrimEnd('/') + "/chronyd";
        string program = directory.PadRight(257 - "/x".Length, 'b') + "/x";
        Directory.CreateDirectory(Path.GetDirectoryName(program)!);
        CopyExecutable("/bin/bash", program);
        Assert.Equal(257, program.Length);

        ProcessInfo process = ConnectFrom(program, "true");

        Assert.Equal(program, process.Executable);
        Assert.False(process.ExecutableTruncated);
    }

    [RootFact]
    public void AProgramDeeperThanTheKernelWalksIsMarkedTruncatedAndNoAllowlistEntryMatchesIt()
    {
        // 60 directories: more than NS_PATH_DEPTH (48) steps from the file to the root.
        string program = Path.Combine(_dir, string.Join('/', Enumerable.Repeat("d", 60)), "chronyd");
        Directory.CreateDirectory(Path.GetDirectoryName(program)!);
        CopyExecutable("/bin/bash", program);

        ConnectionEvent opened = ConnectEventFrom(program, "true");
        ProcessInfo process = opened.Process;

        Assert.True(process.ExecutableTruncated);
        Assert.StartsWith(ExecIdentity.TruncatedPathMarker + "/d/d/", process.Executable, StringComparison.Ordinal);
        Assert.EndsWith("/d/chronyd", process.Executable, StringComparison.Ordinal);
        Assert.Equal("chronyd", process.Name);
        var allowlist = new Allowlist(new MonitorConfig { AllowExecutables = new ValueList<string>(["chronyd"]) });
        Assert.False(allowlist.Allows(opened));
    }

    [RootFact]
    public void AProcessThatConnectsThenExecsKeepsTheCommandLineItConnectedWith()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        string script = $"exec 3<>/dev/tcp/{target.Address}/{target.Port}; exec /bin/sleep 0.3";
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", script, "connector-marker"]))!;
        Assert.True(bash.WaitForExit(10_000));

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), s_timeout));
        foreach (ConnectionEvent e in recorder.Events.Where(e => e.Remote.Equals(target)))
        {
            Assert.Equal(bash.Id, e.Process.Pid);
            Assert.Equal(["/bin/bash", "-c", script, "connector-marker"], e.Process.Args);
            Assert.Equal($"/bin/bash -c {script} connector-marker", e.Process.CommandLine);
            Assert.Equal(LibC.RealPath("/bin/bash"), e.Process.Executable);
        }
    }

    [RootFact]
    public void ACommandLineLongerThanTheCapIsCutAt16KiBAndMarked()
    {
        string huge = new('x', 100_000);
        ConnectionEvent opened = ConnectEventFrom("/bin/bash", "true", huge);
        ProcessInfo process = opened.Process;

        Assert.True(process.CommandLineTruncated);
        Assert.NotNull(process.CommandLine);
        Assert.InRange(process.CommandLine.Length, 16_000, 16_384);
        Assert.StartsWith("/bin/bash -c ", process.CommandLine, StringComparison.Ordinal);
        Assert.Equal("/bin/bash", process.Args![0]);

        // The line the real formatter writes for it stays under syslog-ng's default 64 KiB message size.
        byte[] line = new EcsJsonFormatter(HostIdentity.Current()).FormatLine(new ConnectionLogRecord { Timestamp = opened.Timestamp, Source = "ebpf", Event = opened });
        Assert.InRange(line.Length, 2 * 16_000, (64 * 1024) - 1);
    }

    /// <summary>
    /// 15 KiB of \x01 in argv: within the kernel's 16 KiB capture (not cut there), but 6 bytes each in JSON. The real
    /// formatter's line for the real exec record stays under 64 KiB, valid JSON, with the truncation marker.
    /// </summary>
    [RootFact]
    public void ACommandLineOfControlCharactersIsCutToFitTheLineAndMarked()
    {
        string controls = new('\x01', 15 * 1024);
        ConnectionEvent opened = ConnectEventFrom("/bin/bash", "true", controls);
        Assert.False(opened.Process.CommandLineTruncated); // whole from the kernel
        Assert.Equal(controls, opened.Process.Args![^1]);

        byte[] line = new EcsJsonFormatter(HostIdentity.Current()).FormatLine(new ConnectionLogRecord { Timestamp = opened.Timestamp, Source = "ebpf", Event = opened });

        Assert.InRange(line.Length, 16 * 1024, (64 * 1024) - 1);
        using var document = System.Text.Json.JsonDocument.Parse(line);
        System.Text.Json.JsonElement root = document.RootElement;
        Assert.True(root.GetProperty("net_sentinel").GetProperty("process").GetProperty("command_line_truncated").GetBoolean());
        Assert.StartsWith("/bin/bash -c true; exec 3<>/dev/tcp/", root.GetProperty("process").GetProperty("command_line").GetString(), StringComparison.Ordinal);
        Assert.Equal("/bin/bash", root.GetProperty("process").GetProperty("args")[0].GetString());
    }

    private ProcessInfo ConnectFrom(string program, string before, Action? afterStart = null) => ConnectEventFrom(program, before, afterStart: afterStart).Process;

    /// <summary>Runs <paramref name="program"/> (a bash) which runs <paramref name="before"/> and then connects; its connection_opened.</summary>
    private static ConnectionEvent ConnectEventFrom(string program, string before, string? extraArgument = null, Action? afterStart = null)
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        List<string> args = ["-c", $"{before}; exec 3<>/dev/tcp/{target.Address}/{target.Port}"];
        if (extraArgument is not null) args.AddRange(["bash", extraArgument]);
        using var process = Process.Start(new ProcessStartInfo(program, args))!;
        afterStart?.Invoke();
        Assert.True(process.WaitForExit(10_000));
        Assert.Equal(0, process.ExitCode);

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        ConnectionEvent opened = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        Assert.Equal(process.Id, opened.Process.Pid);
        return opened;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void CopyExecutable(string from, string to)
    {
        File.Copy(from, to);
        File.SetUnixFileMode(to, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }

    /// <summary>st_dev and st_ino, from stat(1): an independent witness of what the kernel record says.</summary>
    private static (ulong Device, ulong Inode) DeviceAndInode(string path)
    {
        var (exit, output) = TestNetwork.Run("stat", $"-L -c \"%d %i\" {path}");
        Assert.Equal(0, exit);
        string[] parts = output.Trim().Split(' ');
        return (ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
