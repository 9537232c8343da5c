namespace NetSentinel.Linux.Bpf;

/// <summary>A BPF operation failed; the message says what failed and what to do about it.</summary>
public sealed class BpfException : Exception
{
    public BpfException(string message, int errno = 0) : base(message) => Errno = errno;

    public BpfException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The errno libbpf or the kernel reported; 0 when not from a system call.</summary>
    public int Errno { get; }
}
