namespace NetSentinel.Core.Model;

/// <summary>
/// A string's hash code, worked out once and given back while the same string object is asked about. Equal to every
/// other memo, so a record holding one compares and hashes by its real fields only (and a <c>with</c> copy that
/// changes the string just works the hash out again). Not thread-safe: the monitor's thread is its only user.
/// </summary>
internal struct StringHashMemo : IEquatable<StringHashMemo>
{
    private string? _of;
    private int _hash;

    public int Of(string text)
    {
        if (!ReferenceEquals(text, _of))
        {
            _hash = text.GetHashCode();
            _of = text;
        }
        return _hash;
    }

    public readonly bool Equals(StringHashMemo other) => true;

    public override readonly bool Equals(object? obj) => obj is StringHashMemo;

    public override readonly int GetHashCode() => 0;
}
