using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// A program as the detectors key their tables (<see cref="ProcessInfo.ProgramKey"/>), with its hash code carried from
/// the process description instead of hashing the path again at every lookup: a connection costs several lookups by
/// program (beacon's series at open and close, new_destination, exfiltration's pairs and history), and hashing paths
/// was ~9 % of the pipeline's CPU in a connect storm.
/// </summary>
public readonly struct HashedProgram : IEquatable<HashedProgram>
{
    private readonly int _hash;

    private HashedProgram(string key, int hash) => (Key, _hash) = (key, hash);

    public string Key { get; }

    public static HashedProgram Of(ProcessInfo process) => new(process.ProgramKey, process.ProgramKeyHash);

    public static HashedProgram Of(string programKey) => new(programKey, programKey.GetHashCode());

    public bool Equals(HashedProgram other) => _hash == other._hash && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is HashedProgram other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => Key;
}
