using NetSentinel.Core.Model;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Tests;

/// <summary>Names pids from a fixed table and records which pids were asked for.</summary>
internal sealed class FakeProcessInfoResolver(params (int Pid, string Executable)[] known) : IProcessInfoResolver
{
    public List<int> Asked { get; } = new();

    public string? DegradedReason { get; set; }

    public ProcessInfo Resolve(int pid)
    {
        Asked.Add(pid);
        foreach (var (knownPid, executable) in known)
            if (knownPid == pid) return new ProcessInfo { Pid = pid, Name = Path.GetFileName(executable.Replace('\\', '/')), Executable = executable };
        return new ProcessInfo { Pid = pid, Name = "?" };
    }
}
