using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// What we know of each live process beyond what the kernel hands us per event: its executable, taken
/// from the exec event when we saw it (so a process that execs, connects and exits within a millisecond
/// still has it), else read once from /proc; and its command line from /proc when still readable.
/// /proc is a cache here, not the truth. Entries are dropped at the exit event.
/// </summary>
internal sealed class ProcessCatalog
{
    /// <summary>A bound in case exit events are lost: then the whole cache is rebuilt lazily.</summary>
    private const int MaxProcesses = 32768;

    private readonly Dictionary<uint, ProcessFacts> _byTgid = [];
    private readonly string _procRoot;

    public ProcessCatalog(string procRoot = "/proc") => _procRoot = procRoot;

    public int Count => _byTgid.Count;

    public void OnExec(uint tgid, string filename)
    {
        // execve may have been given a relative path (then /proc/<tgid>/exe, absolute while the process lives),
        // or one through symlinks such as /bin -> /usr/bin: canonical, it names the program as /proc and the
        // snapshot source do, so baselines learn one key per program. A script keeps its own path (not the interpreter's).
        string? executable = filename.StartsWith('/')
            ? LibC.RealPath(filename) ?? filename
            : ReadExecutable(tgid) ?? NullIfEmpty(filename);
        Bound();
        _byTgid[tgid] = new ProcessFacts { Executable = executable };
    }

    public void OnExit(uint tgid) => _byTgid.Remove(tgid);

    public unsafe ProcessInfo Describe(in NsTask task)
    {
        if (!_byTgid.TryGetValue(task.Tgid, out ProcessFacts? facts))
        {
            Bound();
            facts = new ProcessFacts { Executable = ReadExecutable(task.Tgid) };
            _byTgid[task.Tgid] = facts;
        }
        if (!facts.CommandLineRead)
        {
            facts.CommandLine = ReadCommandLine(task.Tgid);
            facts.CommandLineRead = true;
        }
        ProcessInfo? last = facts.Last;
        string name = BpfText.Comm(task);
        if (last is not null && last.ParentPid == (int)task.Ppid && last.Uid == task.Uid && last.Name == name)
            return last;
        return facts.Last = new ProcessInfo
        {
            Pid = (int)task.Tgid,
            ParentPid = (int)task.Ppid,
            Uid = task.Uid,
            Name = name,
            Executable = facts.Executable,
            CommandLine = facts.CommandLine,
            IdentifiedBy = AttributionSource.Kernel,
        };
    }

    private void Bound()
    {
        if (_byTgid.Count >= MaxProcesses) _byTgid.Clear();
    }

    private string? ReadExecutable(uint tgid)
    {
        try
        {
            string? target = new FileInfo($"{_procRoot}/{tgid}/exe").LinkTarget;
            const string Deleted = " (deleted)";
            return target is not null && target.EndsWith(Deleted, StringComparison.Ordinal) ? target[..^Deleted.Length] : target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone already, or a kernel thread
        }
    }

    private string? ReadCommandLine(uint tgid)
    {
        try
        {
            byte[] raw = File.ReadAllBytes($"{_procRoot}/{tgid}/cmdline");
            int length = raw.Length;
            while (length > 0 && raw[length - 1] == 0) length--;
            if (length == 0) return null;
            for (int i = 0; i < length; i++)
                if (raw[i] == 0) raw[i] = (byte)' ';
            return Encoding.UTF8.GetString(raw, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private sealed class ProcessFacts
    {
        public string? Executable { get; init; }
        public string? CommandLine { get; set; }
        public bool CommandLineRead { get; set; }
        public ProcessInfo? Last { get; set; }
    }
}
