using System.Runtime.CompilerServices;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>
/// The JSON of each process's fields, formatted once and copied into every line about the process: a
/// connection storm writes the same process, parent, user, container and ancestry on every line, and
/// formatting them (a dozen timestamps, entity ids, escaping) was most of a line's cost (issue #15).
/// <para>
/// Keyed by the <see cref="ProcessInfo"/> instance: it is an immutable record, and the sources hand out one
/// instance per process until something about it changes (then a new one, which gets its own entry). A
/// fixed number of slots, each holding the last process that hashed to it, bounds the memory without
/// any eviction bookkeeping; a process pushed out is formatted again when it next appears. Entries are
/// immutable and replaced whole, so formatters on different threads may share it without locks.
/// </para>
/// </summary>
internal sealed class ProcessJsonCache
{
    private const int Slots = 256;

    private readonly ProcessJson?[] _slots = new ProcessJson?[Slots];

    /// <summary>The process's cached JSON, made with <paramref name="format"/> when it is not cached yet.</summary>
    public ProcessJson Get(ProcessInfo process, Func<ProcessInfo, ProcessJson> format)
    {
        int slot = (int)((uint)RuntimeHelpers.GetHashCode(process) % Slots);
        ProcessJson? cached = Volatile.Read(ref _slots[slot]);
        if (cached is not null && ReferenceEquals(cached.Process, process))
        {
            return cached;
        }

        ProcessJson made = format(process);
        Volatile.Write(ref _slots[slot], made);
        return made;
    }
}
