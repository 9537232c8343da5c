using NetSentinel.Core.Native;
using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>Turns libbpf's error conventions into exceptions that say what failed and what to do.</summary>
internal static class LibBpfErrors
{

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
            LibC.EPERM or LibC.EACCES => "needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN",
            LibC.ENOENT => "the kernel lacks the hook or its BTF (/sys/kernel/btf/vmlinux)",
            LibC.EINVAL => "the kernel rejected the program (unsupported kernel or hook)",
            LibC.ENOSYS or LibC.EOPNOTSUPP => "the kernel does not support this BPF feature",
            LibC.ENOSPC => "a BPF map or ring buffer is full",
            _ => "see `dmesg` and `bpftool prog list`",
        };
        return new BpfException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); {hint}", errno);
    }
}
