using System.Buffers;
using System.Globalization;
using NetSentinel.Core.Output;
using System.Text.Json;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Saves and reloads a <see cref="LearnedBaseline"/> as a small JSON document (Utf8JsonWriter / JsonDocument:
/// no reflection, NativeAOT-safe). Writes are atomic — a temporary file in the same directory, fsync, rename, with
/// the temporary file created so a planted link is never followed (see <see cref="Save"/>) —
/// so a crash leaves the old baseline or the new one, never half of one; the file is created mode 0600 because
/// it lists which programs talk to which hosts. A file that cannot be parsed is never trusted: it is renamed to
/// <c>&lt;state_file&gt;.corrupt-&lt;UTC timestamp&gt;</c> and learning starts afresh, with one line saying so.
/// Version 2 adds the named destinations ("domains"); a version 1 file (address blocks only) still loads, and is
/// written back as version 2 at the next save.
/// </summary>
public static class BaselineStateFile
{
    public const string Format = "net-sentinel-baseline";
    public const int Version = 2;
    /// <summary>The first version, without "domains": still read.</summary>
    public const int AddressBlocksOnlyVersion = 1;
    /// <summary>A registrable domain is a DNS name: at most 253 characters in its text form.</summary>
    private const int MaxDomainLength = 253;
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static BaselineLoadResult Load(string path, int ipv4Prefix, int ipv6Prefix, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(clock);
        var fresh = new LearnedBaseline(ipv4Prefix, ipv6Prefix);
        string shown = MonitorConfigFile.OneLine(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return new BaselineLoadResult(fresh, null);
            }
            if (info.Length > MaxFileBytes)
            {
                return SetAside(path, fresh, $"larger than {MaxFileBytes / 1024 / 1024} MiB", clock);
            }
            // A regular file only, bounded while reading: a FIFO or device planted at the path must not hang or swamp us.
            bytes = InputFile.ReadAll(path, "baseline state file", (int)MaxFileBytes);
        }
        catch (InputFileException ex)
        {
            throw new BaselineStateException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BaselineStateException($"cannot read baseline state file '{shown}': {MonitorConfigFile.OneLine(ex.Message)}", ex);
        }

        LearnedBaseline loaded;
        try
        {
            loaded = Parse(bytes);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            return SetAside(path, fresh, MonitorConfigFile.OneLine(ex.Message), clock);
        }
        if (loaded.IPv4Prefix != ipv4Prefix || loaded.IPv6Prefix != ipv6Prefix)
        {
            return new BaselineLoadResult(fresh,
                $"baseline state file '{shown}' was learned with /{loaded.IPv4Prefix} and /{loaded.IPv6Prefix} prefixes, the configuration asks for " +
                $"/{ipv4Prefix} and /{ipv6Prefix}; learning afresh (the file is replaced at the next save)");
        }
        loaded.MarkSaved();
        return new BaselineLoadResult(loaded, null);
    }

    /// <summary>
    /// Replaces the file atomically through <see cref="Output.Files.PrivateFileReplacer"/>: an unguessable temporary
    /// name created with O_EXCL|O_NOFOLLOW, in a directory that is ours or root's (or sticky, with the file ours).
    /// </summary>
    /// <exception cref="BaselineStateException">The directory is unsafe, or the file cannot be written or renamed into place.</exception>
    public static void Save(string path, LearnedBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(baseline);
        try
        {
            Output.Files.PrivateFileReplacer.Replace(path, Serialize(baseline));
            baseline.MarkSaved();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BaselineStateException($"cannot save baseline state file '{MonitorConfigFile.OneLine(path)}': {MonitorConfigFile.OneLine(ex.Message)}", ex);
        }
    }

    public static byte[] Serialize(LearnedBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteNumber("version", Version);
            writer.WriteNumber("ipv4_prefix", baseline.IPv4Prefix);
            writer.WriteNumber("ipv6_prefix", baseline.IPv6Prefix);
            writer.WriteNumber("samples_seen", baseline.SamplesSeen);
            writer.WriteStartArray("destinations");
            // Sorted, so the same baseline always gives the same bytes (diffable, testable).
            foreach (var entry in baseline.Entries
                         .OrderBy(e => e.ProgramKey, StringComparer.Ordinal)
                         .ThenBy(e => e.Network.ToString(), StringComparer.Ordinal)
                         .ThenBy(e => e.Port).ThenBy(e => e.Transport))
            {
                writer.WriteStartObject();
                writer.WriteString("program", Utf16Sanitizer.ReplaceLoneSurrogates(entry.ProgramKey));
                writer.WriteString("network", $"{entry.Network}/{entry.PrefixLength}");
                writer.WriteNumber("port", entry.Port);
                writer.WriteString("transport", TransportNames.Of(entry.Transport));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("domains");
            foreach (var named in baseline.NamedEntries
                         .OrderBy(e => e.ProgramKey, StringComparer.Ordinal)
                         .ThenBy(e => e.Domain, StringComparer.Ordinal)
                         .ThenBy(e => e.Port).ThenBy(e => e.Transport))
            {
                writer.WriteStartObject();
                writer.WriteString("program", Utf16Sanitizer.ReplaceLoneSurrogates(named.ProgramKey));
                writer.WriteString("domain", named.Domain);
                writer.WriteNumber("port", named.Port);
                writer.WriteString("transport", TransportNames.Of(named.Transport));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">Anything that is not a baseline this version wrote.</exception>
    public static LearnedBaseline Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != Format)
        {
            throw new FormatException("not a net-sentinel baseline (no \"format\": \"net-sentinel-baseline\")");
        }
        int version = root.GetProperty("version").GetInt32();
        if (version is not (Version or AddressBlocksOnlyVersion))
        {
            throw new FormatException($"unsupported version {root.GetProperty("version").GetRawText()}");
        }
        int v4 = Bounded(root.GetProperty("ipv4_prefix").GetInt32(), 0, 32, "ipv4_prefix");
        int v6 = Bounded(root.GetProperty("ipv6_prefix").GetInt32(), 0, 128, "ipv6_prefix");
        var baseline = new LearnedBaseline(v4, v6) { SamplesSeen = Bounded(root.GetProperty("samples_seen").GetInt32(), 0, int.MaxValue, "samples_seen") };
        int index = 0;
        foreach (JsonElement item in root.GetProperty("destinations").EnumerateArray())
        {
            index++;
            string program = item.GetProperty("program").GetString() ?? throw new FormatException($"destination {index}: program is null");
            if (!NetworkPrefix.TryParse(item.GetProperty("network").GetString() ?? string.Empty, out NetworkPrefix network, out string problem))
            {
                throw new FormatException($"destination {index}: {problem}");
            }
            int expected = network.IsIPv4 ? v4 : v6;
            if (network.Length != expected)
            {
                throw new FormatException($"destination {index}: /{network.Length} does not match the file's /{expected}");
            }
            var (port, transport) = PortAndTransport(item, $"destination {index}");
            baseline.Add(new BaselineEntry(program, network.Network, network.Length, port, transport));
        }
        if (version == AddressBlocksOnlyVersion)
        {
            return baseline;
        }
        index = 0;
        foreach (JsonElement item in root.GetProperty("domains").EnumerateArray())
        {
            index++;
            string program = item.GetProperty("program").GetString() ?? throw new FormatException($"domain {index}: program is null");
            string domain = item.GetProperty("domain").GetString() ?? string.Empty;
            if (domain.Length is 0 or > MaxDomainLength || domain.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                throw new FormatException($"domain {index}: not a domain name");
            }
            var (port, transport) = PortAndTransport(item, $"domain {index}");
            baseline.Add(new NamedDestination(program, domain, port, transport));
        }
        return baseline;
    }

    private static (int Port, Transport Transport) PortAndTransport(JsonElement item, string what)
    {
        int port = Bounded(item.GetProperty("port").GetInt32(), 0, 65535, $"{what}: port");
        string? transportName = item.GetProperty("transport").GetString();
        if (!TransportNames.TryParse(transportName, out Transport transport))
            throw new FormatException($"{what}: transport must be \"tcp\" or \"udp\" (got {transportName})");
        return (port, transport);
    }

    private static int Bounded(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new FormatException($"{name} {value} is out of range {min}..{max}");

    private static BaselineLoadResult SetAside(string path, LearnedBaseline fresh, string why, TimeProvider clock)
    {
        string stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string aside = $"{path}.corrupt-{stamp}";
        try
        {
            File.Move(path, aside, overwrite: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BaselineStateException(
                $"baseline state file '{MonitorConfigFile.OneLine(path)}' is corrupt ({why}) and cannot be set aside: {MonitorConfigFile.OneLine(ex.Message)}", ex);
        }
        fresh.MarkChanged();
        return new BaselineLoadResult(fresh,
            $"baseline state file '{MonitorConfigFile.OneLine(path)}' is corrupt ({why}); set aside as '{MonitorConfigFile.OneLine(aside)}', learning afresh");
    }
}
