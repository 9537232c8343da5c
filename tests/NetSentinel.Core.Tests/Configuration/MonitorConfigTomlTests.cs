using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Tests.Configuration;

public sealed class MonitorConfigTomlTests
{
    private static readonly MonitorConfig NonDefault = new()
    {
        IntervalSeconds = 2.5,
        BaselineSamples = 11,
        LogFile = "C:\\logs\\\"quoted\" 'single' é\ttab.jsonl",
        IncludeLoopback = true,
        Source = SourceKind.Ebpf,
        LogConnections = true,
        BytesPerSecThreshold = 9_876_543_210,
        ManyConnectionsThreshold = 3,
        AlertCooldownSeconds = 0.125,
        IncidentQuietSeconds = 7.5,
        BeaconKnownDestinations = KnownDestinationSeverity.Ignore,
        LogMaxSizeMb = 0.0625 + 1e-9,
        LogMaxFiles = 1,
        LogLines = NetSentinel.Core.Output.Pipeline.OutputLines.Alerts,
        LogMode = 0b110_100_100,
        LogGroup = "root",
        StdoutLines = NetSentinel.Core.Output.Pipeline.OutputLines.Alerts,
        SyslogTarget = "tcp:[2001:db8::7]:6514",
        SyslogLines = NetSentinel.Core.Output.Pipeline.OutputLines.Alerts,
        SyslogFacility = NetSentinel.Core.Output.Pipeline.SyslogFacility.Local7,
        MetricsListen = "[::1]:9469",
        MetricsAllowRemote = true,
        ScanWindowSeconds = 30.5,
        ScanDistinctHostsThreshold = 7,
        ScanDistinctPortsThreshold = 65536,
        BeaconMinConnections = 4,
        BeaconHistory = 1024,
        BeaconScoreThreshold = 0.95,
        BeaconMinPeriodSeconds = 0,
        ExfiltrationWindowSeconds = 604800,
        ExfiltrationBytesThreshold = 1,
        ExfiltrationSendRatio = 2.5,
        AllowDestinations = new(["10.0.0.0/8", "2001:db8::/32", "198.51.100.7"]),
        AllowPorts = new([123, 0, 65535]),
        AllowExecutables = new(["/usr/sbin/chronyd", "ntpd \"quoted\""]),
        BlocklistFile = "/etc/net-sentinel/block list.txt",
        BaselineStateFile = "/var/lib/net-sentinel/baseline.json",
        BaselineMode = BaselineMode.Learn,
        BaselineIPv4Prefix = 32,
        BaselineIPv6Prefix = 0,
    };

    [Fact]
    public void DefaultsAreWrittenAsTheReferenceLayout()
    {
        const string expected = """
            # net-sentinel configuration (effective values: defaults, then the file, then flags)

            [general]
            # Length of one monitoring interval in seconds; rates are averaged over it (0.05 to 86400).
            interval_seconds = 5
            # Intervals spent learning normal destinations before new_destination alerts start (0 = no learning).
            baseline_samples = 3
            # JSON Lines file the alerts (and, with log_connections, connections) are appended to.
            log_file = "net_sentinel_events.jsonl"
            # Also watch connections to 127.0.0.0/8 and ::1 (true or false).
            include_loopback = false
            # Live event source: "auto" (best the host allows), "ebpf" (Linux), "etw" (Windows) or "poll".
            source = "auto"
            # Also log every new outbound connection and its close, not only alerts (true or false).
            log_connections = false

            [thresholds]
            # Outbound bytes per second of one process that raise high_send_rate (>= 0).
            bytes_per_sec_threshold = 5000000
            # Outbound connections one process may hold at once before many_connections fires (>= 1).
            many_connections_threshold = 50

            [alerts]
            # An open incident (a standing condition) writes an update with its counts at most once per this many seconds (>= 0).
            cooldown_seconds = 300
            # An incident with no new evidence for this many seconds closes with a line of its totals (> 0).
            incident_quiet_seconds = 60

            [log]
            # Rotate the log file before it would grow past this many MiB; a line is never split (0.0625, i.e. 64 KiB, to 1048576).
            max_size_mb = 10
            # Rotated files kept next to the log (log_file.1 .. log_file.N); older ones are deleted (>= 1).
            max_files = 5
            # When the log's disk is full: "drop" (keep monitoring, count the lines not written, log the count when space returns) or "stop" (exit 3).
            disk_full_action = "drop"
            # Lines the log file gets: "all" (alerts, notices and, with log_connections, connections) or "alerts" (no connection lines).
            lines = "all"
            # Permission bits of the log and of each rotated file, set exactly (Unix): "0600" (owner only), "0640" (with group: a shipper in [log] group reads it) or "0644".
            mode = "0600"
            # Group the log and each rotated file are given (Unix; it must exist), e.g. "net-sentinel-readers" with mode "0640"; "" = the monitor's own group.
            group = ""

            [scan]
            # Sliding window, in seconds, over which scan counts one process's distinct destinations (> 0, at most 86400).
            window_seconds = 60
            # Distinct destination addresses of one process within the window that raise scan (1 to 65536).
            distinct_hosts_threshold = 100
            # Distinct destination ports of one process within the window that raise scan (1 to 65536).
            distinct_ports_threshold = 30

            [beacon]
            # Connections from one program to one destination before their regularity is scored (4 to 1024, at most beacon.history).
            min_connections = 10
            # Most recent connection times and sizes kept per program and destination (4 to 1024).
            history = 32
            # Regularity score, from 0 to 1 (1 = perfectly periodic), at or above which beacon fires (> 0, at most 1).
            score_threshold = 0.85
            # A series whose median gap is shorter than this many seconds is a burst, not a beacon (>= 0, at most 86400).
            min_period_seconds = 1
            # Periodic traffic to a destination in the program's baseline: "low" (low severity), "ignore" (no alert) or "alert" (medium).
            known_destinations = "low"

            [exfiltration]
            # Sliding window, in seconds, over which bytes one program sends one destination are summed (> 0, at most 604800).
            window_seconds = 3600
            # Bytes sent to one destination within the window that raise exfiltration (>= 1).
            bytes_threshold = 100000000
            # Bytes sent must also be at least this many times the bytes received, so a download never fires (>= 0).
            send_ratio = 10

            [allowlist]
            # Destination addresses or CIDR blocks whose connections are ignored entirely, e.g. ["10.0.0.0/8"].
            destinations = []
            # Destination ports whose connections are ignored entirely, e.g. [123].
            ports = []
            # Executables ignored entirely: a full path, or a name matching the process name or the path's last part.
            executables = []

            [blocklist]
            # File of addresses or CIDR blocks, one per line (# comments); a connection to one is a high-severity alert ("" = none).
            file = ""

            [baseline]
            # File the learned baseline is saved to and reloaded from at start ("" = kept in memory only).
            state_file = ""
            # "learn-then-enforce" (learn baseline_samples intervals, then alert), "learn" (never alert new_destination) or "enforce".
            mode = "learn-then-enforce"
            # IPv4 destinations are learned as this prefix, so a neighbour in the same block is not new (0 to 32).
            ipv4_prefix = 24
            # IPv6 destinations are learned as this prefix (0 to 128).
            ipv6_prefix = 64

            [dns]
            # Address-to-name entries the DNS name cache holds (one per address, plus one per further process that resolved it); past it the nearest to expiry go first (1 to 10000000).
            cache_entries = 50000
            # A resolved name names its addresses for at least this many seconds, however short the answer's TTL (>= 0, at most 86400).
            ttl_floor_seconds = 60
            # ... and for at most this many seconds, however long the TTL (a ceiling below the floor counts as the floor; >= 0, at most 604800).
            ttl_ceiling_seconds = 3600
            # File of domain names, one per line (*.example for example and every name under it, # comments); a query for one, or a connection to an address it resolved to, is a high-severity alert ("" = none).
            blocklist_file = ""
            # Distinct names one process queries under one registrable domain within tunnel_window_seconds that raise dns_tunnel (2 to 65536).
            tunnel_distinct_names = 50
            # Sliding window, in seconds, for tunnel_distinct_names (> 0, at most 86400).
            tunnel_window_seconds = 60

            [stdout]
            # Lines the console (stdout) gets: "auto" ("all" on a terminal or with --json, else "alerts": a service's journal gets no line per connection), "all" or "alerts"; a reader that stops only loses console lines, counted.
            lines = "auto"

            [syslog]
            # Also send lines to syslog (RFC 5424, the JSON line as the message): "/dev/log" (a Unix datagram socket), "udp:ADDRESS:PORT" or "tcp:ADDRESS:PORT" (octet-counted frames); "" = off.
            target = ""
            # Lines syslog gets: "all" or "alerts"; a receiver that stops or is gone only loses syslog lines, counted.
            lines = "all"
            # Syslog facility of every message: "daemon", "user", "auth", "authpriv" or "local0" .. "local7".
            facility = "daemon"

            [metrics]
            # Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. "127.0.0.1:9469") or on a Unix socket path; "" = off. Loopback or a socket only, unless allow_remote.
            listen = ""
            # Allow metrics.listen on an address other hosts can reach (true or false); the endpoint has no authentication.
            allow_remote = false

            """;

        Assert.Equal(expected.ReplaceLineEndings("\n"), MonitorConfigToml.Write(new MonitorConfig()));
    }

    [Fact]
    public void NonDefaultValuesRoundTrip()
    {
        string toml = MonitorConfigToml.Write(NonDefault);

        Assert.Equal(NonDefault, MonitorConfigFile.Parse(toml, "printed.toml"));
    }

    [Fact]
    public void DefaultsRoundTrip()
    {
        var defaults = new MonitorConfig();

        Assert.Equal(defaults, MonitorConfigFile.Parse(MonitorConfigToml.Write(defaults), "printed.toml"));
    }

    [Fact]
    public void ValuesArePrintedInvariantlyAndEscaped()
    {
        string toml = MonitorConfigToml.Write(NonDefault);

        Assert.Contains("\ninterval_seconds = 2.5\n", toml, StringComparison.Ordinal);
        Assert.Contains("\nlog_file = \"C:\\\\logs\\\\\\\"quoted\\\" 'single' é\\ttab.jsonl\"\n", toml, StringComparison.Ordinal);
        Assert.Contains("\nsource = \"ebpf\"\n", toml, StringComparison.Ordinal);
        Assert.Contains("\nbytes_per_sec_threshold = 9876543210\n", toml, StringComparison.Ordinal);
        Assert.Contains("\ncooldown_seconds = 0.125\n", toml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SourceKind.Auto)]
    [InlineData(SourceKind.Ebpf)]
    [InlineData(SourceKind.Etw)]
    [InlineData(SourceKind.Poll)]
    public void EverySourceRoundTrips(SourceKind source)
    {
        var config = new MonitorConfig { Source = source };

        Assert.Equal(source, MonitorConfigFile.Parse(MonitorConfigToml.Write(config), "printed.toml").Source);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0 / 3.0)]
    [InlineData(86_400)]
    [InlineData(0.05 + 1e-9)]
    [InlineData(12345.6789)]
    public void FractionalIntervalsRoundTripExactly(double seconds)
    {
        var config = new MonitorConfig { IntervalSeconds = seconds };

        Assert.Equal(seconds, MonitorConfigFile.Parse(MonitorConfigToml.Write(config), "printed.toml").IntervalSeconds);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("nul-free \u0001 control \u007f del")]
    [InlineData("\"\"\"")]
    [InlineData("back\\slash\\")]
    [InlineData("日本語/ファイル.jsonl")]
    public void HostileLogPathsRoundTrip(string logFile)
    {
        var config = new MonitorConfig { LogFile = logFile };

        Assert.Equal(logFile, MonitorConfigFile.Parse(MonitorConfigToml.Write(config), "printed.toml").LogFile);
    }
}
