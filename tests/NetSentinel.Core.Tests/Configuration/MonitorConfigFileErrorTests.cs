using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Tests.Configuration;

/// <summary>Every kind of bad input gives one exact line naming the file, the line and the key.</summary>
public sealed class MonitorConfigFileErrorTests
{
    private static ConfigException ParseFails(string text, string path = "my.toml") =>
        Assert.Throws<ConfigException>(() => MonitorConfigFile.Parse(text, path));

    [Theory]
    // Impossible values.
    [InlineData("[general]\n\ninterval_seconds = -1\n",
        "my.toml:3: general.interval_seconds must be at least 0.05 (got -1)")]
    [InlineData("[general]\ninterval_seconds = 0\n",
        "my.toml:2: general.interval_seconds must be at least 0.05 (got 0)")]
    [InlineData("[general]\ninterval_seconds = 0.0\n",
        "my.toml:2: general.interval_seconds must be at least 0.05 (got 0.0)")]
    [InlineData("[general]\ninterval_seconds = 86401\n",
        "my.toml:2: general.interval_seconds must be at most 86400 (got 86401)")]
    [InlineData("[general]\ninterval_seconds = inf\n",
        "my.toml:2: general.interval_seconds must be a finite number (got inf)")]
    [InlineData("[general]\ninterval_seconds = nan\n",
        "my.toml:2: general.interval_seconds must be a finite number (got nan)")]
    [InlineData("[general]\nbaseline_samples = -3\n",
        "my.toml:2: general.baseline_samples must be at least 0 (got -3)")]
    [InlineData("[general]\nbaseline_samples = 2147483648\n",
        "my.toml:2: general.baseline_samples must be at most 2147483647 (got 2147483648)")]
    [InlineData("[thresholds]\nbytes_per_sec_threshold = -1\n",
        "my.toml:2: thresholds.bytes_per_sec_threshold must be at least 0 (got -1)")]
    [InlineData("[thresholds]\nmany_connections_threshold = 0\n",
        "my.toml:2: thresholds.many_connections_threshold must be at least 1 (got 0)")]
    [InlineData("[alerts]\ncooldown_seconds = -0.5\n",
        "my.toml:2: alerts.cooldown_seconds must be at least 0 (got -0.5)")]
    [InlineData("[log]\nmax_size_mb = 0\n",
        "my.toml:2: log.max_size_mb must be at least 0.0625 (got 0)")]
    [InlineData("[log]\nmax_files = 0\n",
        "my.toml:2: log.max_files must be at least 1 (got 0)")]
    [InlineData("[log]\nmax_files = 1001\n",
        "my.toml:2: log.max_files must be at most 1000 (got 1001)")]
    [InlineData("[syslog]\ntarget = \"udp:logs.example:514\"\n",
        "my.toml:2: syslog.target must give an IP address (IPv6 in brackets), not a name (got \"udp:logs.example:514\")")]
    [InlineData("[metrics]\nlisten = \"localhost:9469\"\n",
        "my.toml:2: metrics.listen must give an IP address (IPv6 in brackets), not a name (got \"localhost:9469\")")]
    [InlineData("[syslog]\nfacility = \"kern\"\n",
        "my.toml:2: syslog.facility must be one of \"daemon\", \"user\", \"auth\", \"authpriv\", \"local0\", \"local1\", \"local2\", \"local3\", \"local4\", \"local5\", \"local6\", \"local7\" (got \"kern\")")]
    [InlineData("[log]\nmode = \"0660\"\n",
        "my.toml:2: log.mode must be an octal mode in which the owner reads and writes and group and others may at most read: \"0600\", \"0640\" or \"0644\" (got \"0660\")")]
    [InlineData("[log]\nmode = 640\n",
        "my.toml:2: log.mode must be a string (got integer 640)")]
    [InlineData("[log]\ngroup = \"ns-no-such-group\"\n",
        "my.toml:2: log.group names a group that does not exist on this machine — create it (groupadd --system ns-no-such-group) or leave [log] group out (got \"ns-no-such-group\")")]
    [InlineData("[general]\nlog_file = \"\"\n",
        "my.toml:2: general.log_file must not be empty — give a file path")]
    [InlineData("[general]\nlog_file = \"a\\u0000b\"\n",
        "my.toml:2: general.log_file must not contain a NUL character")]
    [InlineData("[general]\nsource = \"bpf\"\n",
        "my.toml:2: general.source must be one of \"auto\", \"ebpf\", \"etw\", \"poll\" (got \"bpf\")")]
    [InlineData("[general]\nsource = \"Poll\"\n",
        "my.toml:2: general.source must be one of \"auto\", \"ebpf\", \"etw\", \"poll\" (got \"Poll\")")]
    public void ImpossibleValues(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[general]\nbaseline_samples = \"x\"\n",
        "my.toml:2: general.baseline_samples must be an integer (got string \"x\")")]
    [InlineData("[general]\nbaseline_samples = 2.5\n",
        "my.toml:2: general.baseline_samples must be an integer (got float 2.5)")]
    [InlineData("[general]\ninterval_seconds = \"5\"\n",
        "my.toml:2: general.interval_seconds must be a number (got string \"5\")")]
    [InlineData("[general]\ninterval_seconds = true\n",
        "my.toml:2: general.interval_seconds must be a number (got boolean true)")]
    [InlineData("[general]\ninterval_seconds = [1, 2]\n",
        "my.toml:2: general.interval_seconds must be a number (got array)")]
    [InlineData("[general]\ninterval_seconds = 1979-05-27\n",
        "my.toml:2: general.interval_seconds must be a number (got date-time 1979-05-27)")]
    [InlineData("[general]\ninclude_loopback = \"yes\"\n",
        "my.toml:2: general.include_loopback must be true or false (got string \"yes\")")]
    [InlineData("[general]\nlog_connections = 1\n",
        "my.toml:2: general.log_connections must be true or false (got integer 1)")]
    [InlineData("[general]\nlog_file = 42\n",
        "my.toml:2: general.log_file must be a string (got integer 42)")]
    [InlineData("[general]\nsource = 1\n",
        "my.toml:2: general.source must be one of \"auto\", \"ebpf\", \"etw\", \"poll\" (got integer 1)")]
    [InlineData("[thresholds]\nbytes_per_sec_threshold = 1e30\n",
        "my.toml:2: thresholds.bytes_per_sec_threshold must be an integer (got float 1e30)")]
    [InlineData("[general]\nlog_file = \"\"\"two\nlines\"\"\"\nbaseline_samples = \"\"\"a\nb\"\"\"\n",
        "my.toml:4: general.baseline_samples must be an integer (got string \"a\\nb\")")]
    public void WrongTypes(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[general]\ninterval_seconds = { value = 3 }\n",
        "my.toml:2: general.interval_seconds must be a number (got table)")]
    [InlineData("[general]\ninterval_seconds = {}\n",
        "my.toml:2: general.interval_seconds must be a number (got table)")]
    [InlineData("[general.interval_seconds]\nvalue = 3\n",
        "my.toml:1: general.interval_seconds must be a number (got table)")]
    [InlineData("[general]\nlog_file.path = \"x\"\n",
        "my.toml:2: general.log_file must be a string (got table)")]
    [InlineData("general = 3\n",
        "my.toml:1: 'general' must be a table (got integer 3) — write [general] and its keys below it")]
    [InlineData("[[general]]\ninterval_seconds = 3\n",
        "my.toml:1: 'general' must be a single table — write [general], not [[general]]")]
    public void TablesWhereScalarsBelong(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[general]\ninterval_seconds = 3\n\n\n\n[thresholds]\nbytes_per_second = 10\n",
        "my.toml:7: unknown key 'thresholds.bytes_per_second' (did you mean 'bytes_per_sec_threshold'?)")]
    [InlineData("[general]\nintervall_seconds = 3\n",
        "my.toml:2: unknown key 'general.intervall_seconds' (did you mean 'interval_seconds'?)")]
    [InlineData("[thresholds]\ninterval_seconds = 3\n",
        "my.toml:2: unknown key 'thresholds.interval_seconds' (did you mean 'general.interval_seconds'?)")]
    [InlineData("[log]\ncolour = \"red\"\n",
        "my.toml:2: unknown key 'log.colour' — known keys in [log]: max_size_mb, max_files, disk_full_action, lines, mode, group")]
    [InlineData("interval_seconds = 3\n",
        "my.toml:1: unknown key 'interval_seconds' (did you mean 'general.interval_seconds'?)")]
    [InlineData("verbose = true\n",
        "my.toml:1: unknown key 'verbose' — keys belong in a table: [general], [thresholds], [alerts], [log], [scan], [beacon], [exfiltration], [allowlist], [blocklist], [baseline], [dns], [stdout], [syslog], [metrics]")]
    [InlineData("general.nope = 1\n",
        "my.toml:1: unknown key 'general.nope' — known keys in [general]: interval_seconds, baseline_samples, log_file, include_loopback, source, log_connections")]
    [InlineData("[general.extra]\n",
        "my.toml:1: unknown key 'general.extra' — known keys in [general]: interval_seconds, baseline_samples, log_file, include_loopback, source, log_connections")]
    public void UnknownKeys(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[genral]\ninterval_seconds = 3\n",
        "my.toml:1: unknown table 'genral' (did you mean 'general'?)")]
    [InlineData("# comment\n[output]\n",
        "my.toml:2: unknown table 'output' — known tables: [general], [thresholds], [alerts], [log], [scan], [beacon], [exfiltration], [allowlist], [blocklist], [baseline], [dns], [stdout], [syslog], [metrics]")]
    [InlineData("[general]\nbaseline_samples = 1\n[[rules]]\nname = \"x\"\n",
        "my.toml:3: unknown table 'rules' — known tables: [general], [thresholds], [alerts], [log], [scan], [beacon], [exfiltration], [allowlist], [blocklist], [baseline], [dns], [stdout], [syslog], [metrics]")]
    [InlineData("output.path = \"x\"\n",
        "my.toml:1: unknown table 'output' — known tables: [general], [thresholds], [alerts], [log], [scan], [beacon], [exfiltration], [allowlist], [blocklist], [baseline], [dns], [stdout], [syslog], [metrics]")]
    public void UnknownTables(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[general]\ninterval_seconds = \n",
        "my.toml:2: invalid TOML: Unexpected token end-of-line found while expecting a value (column 20)")]
    [InlineData("[general]\nlog_file = \"unterminated\n",
        "my.toml:2: invalid TOML: Invalid newline in a string (column 25) (and 1 more)")]
    [InlineData("[general\n",
        "my.toml:1: invalid TOML: Unexpected token found `␤` (token: `newline`) while expecting `]` (token: `closebracket`) (column 9)")]
    [InlineData("[general]\nbaseline_samples = 99999999999999999999\n",
        "my.toml:2: invalid TOML: Unable to parse integer `99999999999999999999` (column 20)")]
    public void MalformedToml(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Theory]
    [InlineData("[general]\nbaseline_samples = 1\nbaseline_samples = 2\n",
        "my.toml:3: invalid TOML: The key `general.baseline_samples` is already defined at (2,1) with `baseline_samples = 1` and cannot be redefined (column 1)")]
    [InlineData("[general]\nbaseline_samples = 1\n[general]\n",
        "my.toml:3: invalid TOML: The key `general` is already defined at (1,1) with `[general]␤baseline_samples = 1` and cannot be redefined (column 1)")]
    public void DuplicateKeys(string text, string expected)
    {
        Assert.Equal(expected, ParseFails(text).Message);
    }

    [Fact]
    public void SeveralProblemsReportTheFirstAndCountTheRest()
    {
        var error = ParseFails("[general]\ninterval_seconds = 0\nbaseline_samples = -1\n[thresholds]\nfoo = 1\n");

        Assert.Equal("my.toml:2: general.interval_seconds must be at least 0.05 (got 0) (and 2 more)", error.Message);
        Assert.Equal("my.toml", error.FilePath);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void LineNumbersCountWindowsLineEndingsAndMultiLineStrings()
    {
        var error = ParseFails("\uFEFF# c\r\n[general]\r\nlog_file = \"\"\"a\r\nb\r\nc\"\"\"\r\n\r\ninterval_seconds = -2\r\n");

        Assert.Equal("my.toml:7: general.interval_seconds must be at least 0.05 (got -2)", error.Message);
    }

    [Fact]
    public void MessageNamesTheFileAsGiven()
    {
        var error = ParseFails("[general]\ninterval_seconds = -1\n", "/etc/net-sentinel/config.toml");

        Assert.Equal("/etc/net-sentinel/config.toml:2: general.interval_seconds must be at least 0.05 (got -1)", error.Message);
    }

    [Fact]
    public void LongStringValuesAreShortenedInMessages()
    {
        string longValue = new('a', 100);

        var error = ParseFails($"[general]\nbaseline_samples = \"{longValue}\"\n");

        Assert.Equal($"my.toml:2: general.baseline_samples must be an integer (got string \"{new string('a', 60)}\"…)", error.Message);
    }

    [Fact]
    public void EveryMessageIsOneLine()
    {
        string[] bad =
        [
            "[general]\nlog_file = \"x\nbaseline_samples = 1\n",
            "[\"gen\\neral\"]\n",
            "[general]\n\"a\\nb\" = 1\n",
            "[general]\nbaseline_samples = \"\"\"\n\n\"\"\"\n",
        ];
        foreach (string text in bad)
        {
            string message = ParseFails(text).Message;
            Assert.DoesNotContain('\n', message);
            Assert.DoesNotContain('\r', message);
            Assert.StartsWith("my.toml:", message, StringComparison.Ordinal);
        }
    }
}
