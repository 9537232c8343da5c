using System.Runtime.InteropServices;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// What the per-connect program calls, read from the embedded object's instructions (no privilege needed): the costs
/// measured out of it must not creep back in unnoticed.
/// </summary>
public sealed unsafe class BpfProgramCallsTests
{
    private const int RingbufReserve = 131;  // BPF_FUNC_ringbuf_reserve
    private const int RingbufQuery = 134;    // BPF_FUNC_ringbuf_query
    private const int ProbeReadKernel = 113; // BPF_FUNC_probe_read_kernel
    private const int SkcToTcpSock = 137;    // BPF_FUNC_skc_to_tcp_sock

    public BpfProgramCallsTests() => Assert.True(LibBpf.TryLoad(out string? missing), missing);

    /// <summary>
    /// No program asks the ring how full it is before submitting (every record is submitted without a wakeup and drained
    /// on user space's 10 ms timer): a forced wakeup per record while user space was behind cost ~5 µs a record.
    /// </summary>
    [Fact]
    public void NoProgramQueriesTheRingBeforeSubmitting()
    {
        using BpfObjectHandle obj = BpfObjectHandle.Open(KernelTracer.LoadEmbeddedObject());
        var programs = new List<string>();
        for (nint prog = LibBpf.NextProgram(obj.DangerousGetHandle(), 0); prog != 0; prog = LibBpf.NextProgram(obj.DangerousGetHandle(), prog))
        {
            string name = Marshal.PtrToStringUTF8(LibBpf.ProgramName(prog))!;
            programs.Add(name);
            Assert.DoesNotContain(RingbufQuery, HelperCalls(obj, name));
        }
        Assert.Contains("ns_tcp_state", programs);
        Assert.Contains("ns_exec_raw", programs);
        Assert.Contains(RingbufReserve, HelperCalls(obj, "ns_tcp_state")); // the scan sees helper calls at all
    }

    /// <summary>The tp_btf close reads the tcp_sock through bpf_skc_to_tcp_sock with plain loads; raw_tp keeps probe reads.</summary>
    [Fact]
    public void TheTpBtfTcpStateProgramReadsTheSocketWithoutProbeReads()
    {
        using BpfObjectHandle obj = BpfObjectHandle.Open(KernelTracer.LoadEmbeddedObject());
        List<int> btf = HelperCalls(obj, "ns_tcp_state"), raw = HelperCalls(obj, "ns_tcp_state_raw");
        Assert.DoesNotContain(ProbeReadKernel, btf);
        Assert.Contains(SkcToTcpSock, btf);
        Assert.Contains(ProbeReadKernel, raw);
        Assert.DoesNotContain(SkcToTcpSock, raw);
    }

    /// <summary>The helper ids a program calls (BPF_JMP | BPF_CALL with src_reg 0: not a BPF-to-BPF call or a kfunc).</summary>
    private static List<int> HelperCalls(BpfObjectHandle obj, string program)
    {
        nint prog = LibBpf.FindProgramByName(obj.DangerousGetHandle(), program);
        Assert.NotEqual(0, prog);
        ulong* insns = LibBpf.ProgramInstructions(prog);
        int count = (int)LibBpf.ProgramInstructionCount(prog);
        Assert.True(insns != null && count > 10, $"{program}: {count} instructions");
        var calls = new List<int>();
        for (int i = 0; i < count; i++)
        {
            ulong insn = insns[i]; // little-endian: code (8 bits), dst_reg (4), src_reg (4), off (16), imm (32)
            byte code = (byte)insn;
            int srcReg = (int)((insn >> 12) & 0xf);
            if (code == 0x85 && srcReg == 0) calls.Add((int)(insn >> 32));
        }
        return calls;
    }
}
