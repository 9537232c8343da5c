using System.Net;
using System.Text;
using System.Text.Json;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Tests.Shared;
using NetSentinel.Windows.Etw;
using NetSentinel.Windows.IpHelper;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Tests.Processes;

public class WindowsProcessInfoResolverTests
{
    private const string MachineGuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    private const string BootTime = "134115264000000000";
    private readonly FakeWindowsProcessTable _table = new();

    private WindowsProcessInfoResolver Resolver() => new(_table, MachineGuid, BootTime);

    [Fact]
    public void AProcessCarriesItsStartEntityIdAndTheChainOfItsCreators()
    {
        _table.Add(700, @"C:\Windows\explorer.exe", 650, minutesAfterBoot: 1);
        _table.Add(800, @"C:\Windows\System32\cmd.exe", 700, minutesAfterBoot: 5);
        _table.Add(900, @"C:\Tools\curl.exe", 800, minutesAfterBoot: 6);

        ProcessInfo curl = Resolver().Resolve(900);

        long created = FakeWindowsProcessTable.CreatedAt(6);
        Assert.Equal(EntityId.Derive(MachineGuid, BootTime, 900, (ulong)created), curl.EntityId);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 6, 0, TimeSpan.Zero), curl.Start);
        Assert.Equal(TimeSpan.Zero, curl.Start!.Value.Offset);
        Assert.Equal(("curl.exe", @"C:\Tools\curl.exe", 800), (curl.Name, curl.Executable, curl.ParentPid));
        // explorer's creator (650) is gone: the chain ends at explorer.
        Assert.Equal([(800, "cmd.exe"), (700, "explorer.exe")], curl.Ancestry.Select(a => (a.Pid, a.Name)));
        Assert.Equal(EntityId.Derive(MachineGuid, BootTime, 800, (ulong)FakeWindowsProcessTable.CreatedAt(5)), curl.Ancestry[0].EntityId);
        Assert.Equal(@"C:\Windows\System32\cmd.exe", curl.Ancestry[0].Executable);
        Assert.Equal(@"""C:\Tools\curl.exe"" --from-test", curl.CommandLine);
        Assert.Equal(@"""C:\Windows\System32\cmd.exe"" --from-test", curl.Ancestry[0].CommandLine);
        Assert.Null(curl.Args);
    }

    [Fact]
    public void AReusedPidIsReadAfreshAndACreatorYoungerThanItsChildIsNotItsParent()
    {
        var resolver = Resolver();
        _table.Add(800, @"C:\Windows\System32\cmd.exe", 4, minutesAfterBoot: 5);
        _table.Add(900, @"C:\Tools\curl.exe", 800, minutesAfterBoot: 6);
        ProcessInfo first = resolver.Resolve(900);
        Assert.Same(first, resolver.Resolve(900));

        // cmd exits and its pid goes to a later process; curl exits and its pid goes to wget, "created by" 800.
        _table.Add(800, @"C:\Windows\notepad.exe", 4, minutesAfterBoot: 20);
        _table.Add(900, @"C:\Tools\wget.exe", 800, minutesAfterBoot: 10);
        ProcessInfo second = resolver.Resolve(900);

        Assert.Equal("wget.exe", second.Name);
        Assert.NotEqual(first.EntityId, second.EntityId);
        Assert.Equal(800, second.ParentPid);
        Assert.Empty(second.Ancestry); // notepad (created at 20 min) did not create wget (10 min)
        Assert.Equal("cmd.exe", first.Ancestry[0].Name); // what was resolved before keeps its parent
    }

    [Fact]
    public void AProcessThatIsGoneOrDeniesItsTimesIsNamedWithoutAnIdentity()
    {
        _table.Processes[300] = new WindowsProcessFacts("svchost", null, -1, 0);

        var resolver = Resolver();
        ProcessInfo gone = resolver.Resolve(123);
        ProcessInfo denied = resolver.Resolve(300);

        Assert.Equal((123, "?", null, null), (gone.Pid, gone.Name, gone.EntityId, gone.Start));
        Assert.Equal(("svchost", 0, null, null), (denied.Name, denied.ParentPid, denied.EntityId, denied.Start));
        Assert.Empty(denied.Ancestry);
    }

    [Fact]
    public void TheChainStopsAtEightAndAtALoop()
    {
        for (int pid = 10; pid <= 30; pid++) _table.Add(pid, $@"C:\p{pid}.exe", pid - 1, minutesAfterBoot: pid);
        _table.Add(41, @"C:\a.exe", 42, minutesAfterBoot: 1);
        _table.Add(42, @"C:\b.exe", 41, minutesAfterBoot: 1);
        _table.Add(43, @"C:\c.exe", 41, minutesAfterBoot: 2);
        var resolver = Resolver();

        Assert.Equal(Enumerable.Range(22, 8).Reverse(), resolver.Resolve(30).Ancestry.Select(a => a.Pid));
        Assert.Equal([41, 42], resolver.Resolve(43).Ancestry.Select(a => a.Pid));
    }

    [Fact]
    public void TheRealFormatterWritesTheIdentityAWindowsProcessHas()
    {
        _table.Add(800, @"C:\Windows\System32\cmd.exe", 700, minutesAfterBoot: 5);
        _table.Add(900, @"C:\Tools\curl.exe", 800, minutesAfterBoot: 6);
        var connection = new ConnectionRecord
        {
            Transport = Transport.Tcp,
            Local = IPEndPoint.Parse("198.51.100.1:50001"),
            Remote = IPEndPoint.Parse("198.51.100.2:443"),
            State = "ESTABLISHED",
            Direction = Direction.Outbound,
            Process = Resolver().Resolve(900) with { IdentifiedBy = AttributionSource.IpHelper },
        };

        string line = Encoding.UTF8.GetString(new EcsJsonFormatter("win-test").FormatLine(
            new ConnectionSnapshotRecord { Timestamp = DateTimeOffset.UnixEpoch, Source = "snapshot", Connection = connection }));
        using var json = JsonDocument.Parse(line);

        JsonElement process = json.RootElement.GetProperty("process");
        Assert.Equal(["pid", "entity_id", "name", "executable", "command_line", "start", "parent"], process.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-01-01T00:06:00.000Z", process.GetProperty("start").GetString());
        Assert.Equal(["pid", "entity_id", "name", "executable", "command_line", "start"], process.GetProperty("parent").EnumerateObject().Select(p => p.Name));
        Assert.Equal("cmd.exe", process.GetProperty("parent").GetProperty("name").GetString());
        JsonElement ancestry = json.RootElement.GetProperty("net_sentinel").GetProperty("ancestry");
        Assert.Equal(800, Assert.Single(ancestry.EnumerateArray()).GetProperty("pid").GetInt32());
    }

    [Fact]
    public void TheEtwMappingAndTheIpHelperSnapshotFillWhatTheSchemaTableSays()
    {
        _table.Add(800, @"C:\Windows\System32\cmd.exe", 700, minutesAfterBoot: 5);
        _table.Add(900, @"C:\Tools\curl.exe", 800, minutesAfterBoot: 6);
        var resolver = Resolver();
        var formatter = new EcsJsonFormatter("win-test");
        string Line(LogRecord record) => Encoding.UTF8.GetString(formatter.FormatLine(record));
        var me = IPEndPoint.Parse("198.51.100.1:50001");
        var peer = IPEndPoint.Parse("198.51.100.2:443");

        var sink = new CollectingSink();
        new EtwNetworkEventMapper(resolver, address => address.Equals(me.Address))
            .Apply(new EtwNetworkRecord(EtwNetworkOpcode.Connect, Transport.Tcp, 900, 0, me.Address, me.Port, peer.Address, peer.Port, DateTimeOffset.UnixEpoch), sink);
        ConnectionEvent opened = Assert.Single(sink.Events);
        ProcessFieldTable.Check("etw", Line(new ConnectionLogRecord { Timestamp = opened.Timestamp, Source = "etw", Event = opened }));

        ConnectionRecord row = Assert.Single(IpHelperRecordBuilder.Build([new IpHelperSocketRow(Transport.Tcp, me, peer, 5, 900)], resolver));
        ProcessFieldTable.Check("iphelper", Line(new ConnectionSnapshotRecord { Timestamp = DateTimeOffset.UnixEpoch, Source = "snapshot", Connection = row }));
    }
}
