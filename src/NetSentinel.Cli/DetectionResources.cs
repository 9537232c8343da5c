using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;

namespace NetSentinel.Cli;

/// <summary>Loads what the detection pipeline needs from disk (block list, saved baseline), turning problems into one-line CLI failures.</summary>
public static class DetectionResources
{
    public static AddressSet? LoadBlocklist(MonitorConfig config)
    {
        if (config.BlocklistFile.Length == 0) return null;
        try
        {
            return BlocklistFile.Load(config.BlocklistFile);
        }
        catch (ConfigException e)
        {
            throw CliFailure.Usage(e.Message);
        }
    }

    /// <summary>dns.blocklist_file, or null when none is set; a bad file is a configuration error (exit 2).</summary>
    public static NetSentinel.Core.Dns.DomainBlocklist? LoadDomainBlocklist(MonitorConfig config)
    {
        if (config.DnsBlocklistFile.Length == 0) return null;
        try
        {
            return NetSentinel.Core.Dns.DomainBlocklistFile.Load(config.DnsBlocklistFile);
        }
        catch (ConfigException e)
        {
            throw CliFailure.Usage(e.Message);
        }
    }

    /// <summary>The saved baseline, or an empty one; a corrupt file is set aside with one line on stderr.</summary>
    public static LearnedBaseline LoadBaseline(MonitorConfig config, TextWriter stderr)
    {
        if (config.BaselineStateFile.Length == 0) return new LearnedBaseline(config.BaselineIPv4Prefix, config.BaselineIPv6Prefix);
        try
        {
            var result = BaselineStateFile.Load(config.BaselineStateFile, config.BaselineIPv4Prefix, config.BaselineIPv6Prefix, TimeProvider.System);
            if (result.Note is { } note) stderr.WriteLine($"net-sentinel: {note}");
            else if (result.Baseline.Count > 0)
                stderr.WriteLine($"net-sentinel: baseline loaded: {result.Baseline.Count} destination block(s), {result.Baseline.SamplesSeen} interval(s) learned");
            return result.Baseline;
        }
        catch (BaselineStateException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
    }

    /// <summary>Saves the baseline when it changed; a failed save is reported once per call and never stops the monitor.</summary>
    public static void SaveBaseline(MonitorConfig config, LearnedBaseline baseline, TextWriter stderr)
    {
        if (config.BaselineStateFile.Length == 0 || !baseline.IsDirty) return;
        try
        {
            BaselineStateFile.Save(config.BaselineStateFile, baseline);
        }
        catch (BaselineStateException e)
        {
            stderr.WriteLine($"net-sentinel: {e.Message}");
        }
    }
}
