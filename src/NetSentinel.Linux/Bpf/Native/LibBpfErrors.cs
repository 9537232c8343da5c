using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>Turns libbpf's error conventions into exceptions that say what failed and what to do.</summary>
internal static class LibBpfErrors
{
    private const int EPerm = 1;
    private const int ENoEnt = 2;
    private const int EAcces = 13;
    private const int EInval = 22;
    private const int ENoSpc = 28;
    private const int ENoSys = 38;
    private const int EOpNotSupp = 95;

    /// <summary>For pointer-returning calls: NULL means failure and errno says why.</summary>
    public static nint CheckPointer(nint result, string what)
    {
        if (result != 0) return result;
        throw Describe(what, Marshal.GetLastPInvokeError());
    }

    /// <summary>For int-returning calls: a negative result is -errno.</summary>
    public static int CheckResult(int result, string what)
    {
        if (result >= 0) return result;
        throw Describe(what, -result);
    }

    public static BpfException Describe(string what, int errno)
    {
        string hint = errno switch
        {
            EPerm or EAcces => "needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN",
            ENoEnt => "the kernel lacks the hook or its BTF (/sys/kernel/btf/vmlinux)",
            EInval => "the kernel rejected the program (unsupported kernel or hook)",
            ENoSys or EOpNotSupp => "the kernel does not support this BPF feature",
            ENoSpc => "a BPF map or ring buffer is full",
            _ => "see `dmesg` and `bpftool prog list`",
        };
        return new BpfException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); {hint}", errno);
    }
}
