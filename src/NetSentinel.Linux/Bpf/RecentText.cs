using System.Text;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The strings of recent kernel records, by their UTF-8 bytes: the same bytes give back the same string object.
/// A shell, a service manager or a build starting thousands of short-lived children hands the monitor the same
/// executable path, comm and most of the same argv over and over; each of those processes is kept for a while
/// (the catalog, the interval's activity, the scan window), so one copy instead of thousands is memory saved, and
/// a hit decodes nothing. Direct-mapped (<see cref="Slots"/> slots, a new string replaces the one in its slot), only
/// for texts of at most <see cref="MaxBytes"/> bytes, so it holds at most a few hundred KB whatever comes in. A text
/// that varies (a port, a file name) only costs the texts it evicts one more copy each when they come back.
/// Safe to share between threads: a slot holds one immutable entry, replaced whole.
/// </summary>
public sealed class RecentText
{
    public const int Slots = 256;
    public const int MaxBytes = 256;

    private readonly Entry?[] _slots = new Entry?[Slots];

    /// <summary>Encoding.UTF8.GetString(<paramref name="utf8"/>) (invalid sequences become U+FFFD), the same object as last time for the same bytes.</summary>
    public string Utf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return string.Empty;
        if (utf8.Length > MaxBytes) return Encoding.UTF8.GetString(utf8);
        ref Entry? slot = ref _slots[SlotOf(utf8)];
        Entry? entry = slot;
        if (entry is not null && utf8.SequenceEqual(entry.Bytes)) return entry.Text;
        string text = Encoding.UTF8.GetString(utf8);
        slot = new Entry(utf8.ToArray(), text);
        return text;
    }

    /// <summary>FNV-1a, folded: the same slot in every run (HashCode's seed changes per process), so what shares is repeatable.</summary>
    private static uint SlotOf(ReadOnlySpan<byte> utf8)
    {
        uint hash = 2166136261;
        foreach (byte b in utf8) hash = (hash ^ b) * 16777619;
        return (hash ^ (hash >> 16)) % Slots;
    }

    private sealed record Entry(byte[] Bytes, string Text);
}
