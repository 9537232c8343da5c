using System.Runtime.CompilerServices;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// Decodes ring-buffer records: checks the header (length, ABI version), looks the kind up in one table
/// (kind → record size → translator call) and hands the typed record to the <see cref="BpfEventTranslator"/>.
/// Pure: it is given bytes, so golden records test it without root or a kernel (like Tetragon's HandlePerfData).
/// A record it cannot read is refused and counted, never guessed at.
/// </summary>
public sealed class BpfRecordDecoder
{
    private delegate void Apply(BpfEventTranslator translator, ReadOnlySpan<byte> record, IConnectionEventSink sink);

    private readonly record struct RecordKind(int Size, Apply Apply);

    /// <summary>The opcode table: index = ns_header.kind. A new record kind is one row here and one translator method.</summary>
    private static readonly RecordKind[] s_kinds = BuildKinds();

    private readonly BpfEventTranslator _translator;

    public BpfRecordDecoder(BpfEventTranslator translator) => _translator = translator;

    /// <summary>Records shorter than their header or their kind's struct.</summary>
    public long ShortRecords { get; private set; }

    /// <summary>Records of a kind this build does not know.</summary>
    public long UnknownKinds { get; private set; }

    /// <summary>Records written by a kernel object of another ABI version: their layout cannot be trusted.</summary>
    public long WrongAbiRecords { get; private set; }

    /// <summary>Every record refused, for the source's lost-events count.</summary>
    public long Refused => ShortRecords + UnknownKinds + WrongAbiRecords;

    /// <summary>Decodes one record (valid only during the call) and applies it; events go to <paramref name="sink"/>.</summary>
    public void Decode(ReadOnlySpan<byte> record, IConnectionEventSink sink)
    {
        if (!BpfRecord.TryRead(record, out NsHeader header))
        {
            ShortRecords++;
            return;
        }
        if (header.AbiVersion != NsAbi.Version)
        {
            WrongAbiRecords++;
            return;
        }
        if (header.Kind >= (uint)s_kinds.Length || s_kinds[header.Kind].Apply is null)
        {
            UnknownKinds++;
            return;
        }
        RecordKind kind = s_kinds[header.Kind];
        if (record.Length < kind.Size)
        {
            ShortRecords++;
            return;
        }
        kind.Apply(_translator, record, sink);
    }

    private static RecordKind[] BuildKinds()
    {
        var kinds = new RecordKind[NsAbi.EventTcpCloseShort + 1];
        kinds[NsAbi.EventTcpConnect] = Row<NsOpenEvent>(static (t, r, s) => t.OnOpen(Read<NsOpenEvent>(r), Transport.Tcp, s));
        kinds[NsAbi.EventUdpFlow] = Row<NsOpenEvent>(static (t, r, s) => t.OnOpen(Read<NsOpenEvent>(r), Transport.Udp, s));
        kinds[NsAbi.EventTcpClose] = Row<NsCloseEvent>(static (t, r, s) => t.OnClose(Read<NsCloseEvent>(r), s));
        kinds[NsAbi.EventTcpCloseShort] = Row<NsCloseShortEvent>(static (t, r, s) => t.OnClose(Read<NsCloseShortEvent>(r), s));
        kinds[NsAbi.EventExec] = Row<NsExecEvent>(static (t, r, _) => t.OnExec(Read<NsExecEvent>(r), r[Unsafe.SizeOf<NsExecEvent>()..])); // argv follows
        kinds[NsAbi.EventExit] = Row<NsExitEvent>(static (t, r, s) => t.OnExit(Read<NsExitEvent>(r), s));
        kinds[NsAbi.EventDns] = Row<NsDnsEvent>(static (t, r, s) => t.OnDns(Read<NsDnsEvent>(r), s));
        kinds[NsAbi.EventUdpResumed] = Row<NsOpenEvent>(static (t, r, s) => t.OnUdpResumed(Read<NsOpenEvent>(r), s));
        kinds[NsAbi.EventFork] = Row<NsForkEvent>(static (t, r, _) => t.OnFork(Read<NsForkEvent>(r)));
        return kinds;
    }

    private static RecordKind Row<T>(Apply apply) where T : unmanaged => new(Unsafe.SizeOf<T>(), apply);

    /// <summary>The length was checked against the table row before the call.</summary>
    private static T Read<T>(ReadOnlySpan<byte> record) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref Unsafe.AsRef(in record[0]));
}
