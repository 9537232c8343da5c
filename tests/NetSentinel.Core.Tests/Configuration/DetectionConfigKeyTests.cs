using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Tests.Configuration;

/// <summary>The detection keys added for scan, beacon, exfiltration, the lists and the baseline.</summary>
public sealed class DetectionConfigKeyTests
{
    [Fact]
    public void EveryNewKeyIsRead()
    {
        var config = MonitorConfigFile.Parse("""
            [scan]
            window_seconds = 30
            distinct_hosts_threshold = 20
            distinct_ports_threshold = 10
            [beacon]
            min_connections = 6
            history = 64
            score_threshold = 0.9
            min_period_seconds = 5
            [exfiltration]
            window_seconds = 600
            bytes_threshold = 1e9
            send_ratio = 3
            [allowlist]
            destinations = ["10.0.0.0/8", "2001:db8::1"]
            ports = [123, 53]
            executables = ["chronyd", "/usr/bin/restic"]
            [blocklist]
            file = "/etc/net-sentinel/blocklist.txt"
            [baseline]
            state_file = "/var/lib/net-sentinel/baseline.json"
            mode = "enforce"
            ipv4_prefix = 32
            ipv6_prefix = 48
            """, "d.toml");

        Assert.Equal(new MonitorConfig
        {
            ScanWindowSeconds = 30, ScanDistinctHostsThreshold = 20, ScanDistinctPortsThreshold = 10,
            BeaconMinConnections = 6, BeaconHistory = 64, BeaconScoreThreshold = 0.9, BeaconMinPeriodSeconds = 5,
            ExfiltrationWindowSeconds = 600, ExfiltrationBytesThreshold = 1_000_000_000, ExfiltrationSendRatio = 3,
            AllowDestinations = new(["10.0.0.0/8", "2001:db8::1"]), AllowPorts = new([123, 53]),
            AllowExecutables = new(["chronyd", "/usr/bin/restic"]),
            BlocklistFile = "/etc/net-sentinel/blocklist.txt",
            BaselineStateFile = "/var/lib/net-sentinel/baseline.json", BaselineMode = BaselineMode.Enforce,
            BaselineIPv4Prefix = 32, BaselineIPv6Prefix = 48,
        }, config);
    }

    [Theory]
    [InlineData("[scan]\nwindow_seconds = 0\n", "d.toml:2: scan.window_seconds must be greater than 0 (got 0)")]
    [InlineData("[scan]\ndistinct_ports_threshold = 0\n", "d.toml:2: scan.distinct_ports_threshold must be at least 1 (got 0)")]
    [InlineData("[scan]\ndistinct_hosts_threshold = 65537\n", "d.toml:2: scan.distinct_hosts_threshold must be at most 65536 (got 65537)")]
    [InlineData("[beacon]\nmin_connections = 3\n", "d.toml:2: beacon.min_connections must be at least 4 (got 3)")]
    [InlineData("[beacon]\nscore_threshold = 1.5\n", "d.toml:2: beacon.score_threshold must be at most 1 (got 1.5)")]
    [InlineData("[exfiltration]\nbytes_threshold = 0\n", "d.toml:2: exfiltration.bytes_threshold must be at least 1 (got 0)")]
    [InlineData("[exfiltration]\nwindow_seconds = 604801\n", "d.toml:2: exfiltration.window_seconds must be at most 604800 (got 604801)")]
    [InlineData("[allowlist]\ndestinations = \"10.0.0.0/8\"\n", "d.toml:2: allowlist.destinations must be an array of strings (got string \"10.0.0.0/8\")")]
    [InlineData("[allowlist]\ndestinations = [\"10.0.0.0/8\", \"10.0.0.1/8\"]\n", "d.toml:2: allowlist.destinations item 2: '10.0.0.1/8' has bits set after the /8 prefix (did you mean 10.0.0.0/8?)")]
    [InlineData("[allowlist]\ndestinations = [\"example.com\"]\n", "d.toml:2: allowlist.destinations item 1: 'example.com' is not an IP address or CIDR block")]
    [InlineData("[allowlist]\nports = [123, 70000]\n", "d.toml:2: allowlist.ports item 2 must be from 0 to 65535 (got 70000)")]
    [InlineData("[allowlist]\nports = [\"ntp\"]\n", "d.toml:2: allowlist.ports must be an array of integers (item 1 is string \"ntp\")")]
    [InlineData("[allowlist]\nexecutables = [\"\"]\n", "d.toml:2: allowlist.executables item 1: must be a non-empty name or path")]
    [InlineData("[blocklist]\nfile = 1\n", "d.toml:2: blocklist.file must be a string (got integer 1)")]
    [InlineData("[baseline]\nmode = \"strict\"\n", "d.toml:2: baseline.mode must be one of \"learn-then-enforce\", \"learn\", \"enforce\" (got \"strict\")")]
    [InlineData("[baseline]\nipv4_prefix = 33\n", "d.toml:2: baseline.ipv4_prefix must be at most 32 (got 33)")]
    [InlineData("[baseline]\nstatefile = \"x\"\n", "d.toml:2: unknown key 'baseline.statefile' (did you mean 'state_file'?)")]
    [InlineData("[scan]\nthreshold = 5\n", "d.toml:2: unknown key 'scan.threshold' — known keys in [scan]: window_seconds, distinct_hosts_threshold, distinct_ports_threshold")]
    public void BadValuesGiveOneExactLine(string text, string expected)
    {
        Assert.Equal(expected, Assert.Throws<ConfigException>(() => MonitorConfigFile.Parse(text, "d.toml")).Message);
    }
}
