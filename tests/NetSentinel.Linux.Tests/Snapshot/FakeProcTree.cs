using System.Text;

namespace NetSentinel.Linux.Tests.Snapshot;

/// <summary>A throwaway directory laid out like /proc for one process, so cache behaviour can be driven exactly.</summary>
internal sealed class FakeProcTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("netsentinel-proc-").FullName;

    public void WriteProcess(int pid, string name, int parentPid, ulong startTime, uint uid, string executable, byte[] cmdline)
    {
        string dir = Path.Combine(Root, pid.ToString());
        Directory.CreateDirectory(dir);
        // Fields 3..22 of a real stat line; starttime is field 22.
        File.WriteAllText(Path.Combine(dir, "stat"),
            $"{pid} ({name}) S {parentPid} {pid} {pid} 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 {startTime} 5877760 200 18446744073709551615\n");
        File.WriteAllText(Path.Combine(dir, "status"), $"Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t{pid}\nPPid:\t{parentPid}\nUid:\t{uid}\t{uid + 1}\t{uid + 2}\t{uid + 3}\nGid:\t0\t0\t0\t0\n");
        File.WriteAllBytes(Path.Combine(dir, "cmdline"), cmdline);
        string exe = Path.Combine(dir, "exe");
        if (File.Exists(exe) || Directory.Exists(exe) || new FileInfo(exe).LinkTarget is not null) File.Delete(exe);
        File.CreateSymbolicLink(exe, executable);
    }

    public static byte[] Argv(params string[] args) => Encoding.UTF8.GetBytes(string.Join('\0', args) + "\0");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
