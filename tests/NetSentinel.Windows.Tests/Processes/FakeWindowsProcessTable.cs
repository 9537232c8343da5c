using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Tests.Processes;

/// <summary>A process table the test edits: pids come and go and are reused, as on a real machine.</summary>
internal sealed class FakeWindowsProcessTable : IWindowsProcessTable
{
    public Dictionary<int, WindowsProcessFacts> Processes { get; } = [];

    public int Queries { get; private set; }

    public string? DegradedReason { get; set; }

    public WindowsProcessFacts? Query(int pid)
    {
        Queries++;
        return Processes.TryGetValue(pid, out WindowsProcessFacts facts) ? facts : null;
    }

    /// <summary>A process created <paramref name="minutesAfterBoot"/> after 2026-01-01 (FILETIME).</summary>
    public void Add(int pid, string executable, int parentPid, int minutesAfterBoot) =>
        Processes[pid] = new WindowsProcessFacts(Path.GetFileName(executable.Replace('\\', '/')), executable, parentPid, CreatedAt(minutesAfterBoot),
            $"\"{executable}\" --from-test");

    public static long CreatedAt(int minutesAfterBoot) => new DateTimeOffset(2026, 1, 1, 0, minutesAfterBoot, 0, TimeSpan.Zero).ToFileTime();
}
