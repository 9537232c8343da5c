using System.Globalization;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// scan: one process reaching at least distinct_hosts_threshold distinct destination addresses, or
/// distinct_ports_threshold distinct destination ports, within a sliding window. Every attempt counts — a
/// connect that fails (refused, timed out) is an Opened event like any other, and a failed close counts its
/// target too in case the Opened was missed. Many connections to one host and port (a browser and its CDN)
/// are one host and one port. Alerts at once, at the event that crosses the threshold; from then on the process
/// is a sweep (<see cref="ScanSweep"/>) and every new host or port it tries is one more alert of the same
/// incident (the pipeline folds them), so the incident's lines state how far it went. Value is the count; the
/// message names the real span of the activity, its rate, its attempts and a sample of targets.
/// Memory: per process, at most <see cref="TargetsKeptPerProcess"/> addresses and as many ports; processes
/// with nothing in the window are forgotten at the next interval end, and a process the source saw end (its exit
/// and the records before it all in) at once: a fork/exec storm's thousands of one-connect children would
/// otherwise be kept for the whole window.
/// </summary>
public sealed class ScanDetector(TimeSpan window, int hostsThreshold, int portsThreshold) : IDetector
{
    public const string RuleName = "scan";

    /// <summary>Targets named in the message.</summary>
    public const int SampleSize = 8;

    private readonly Dictionary<int, ProcessTargets> _byPid = [];
    // The last process that made an attempt, while tracked: a storm's attempts are one process's.
    private int _lastPid;
    private ProcessTargets? _last;

    public string Rule => RuleName;

    /// <summary>Processes currently tracked.</summary>
    public int TrackedProcessCount => _byPid.Count;

    private int TargetsKeptPerProcess => Math.Max(hostsThreshold, portsThreshold) + 1;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        bool attempt = connectionEvent.Kind == ConnectionEventKind.Opened
                       || (connectionEvent.Kind == ConnectionEventKind.Closed && connectionEvent.Failed);
        if (!attempt)
        {
            return null;
        }
        int pid = connectionEvent.Process.Pid;
        ProcessTargets? targets = _last is not null && _lastPid == pid ? _last : null;
        if (targets is null && !_byPid.TryGetValue(pid, out targets))
        {
            _byPid[pid] = targets = new ProcessTargets(TargetsKeptPerProcess);
        }
        (_lastPid, _last) = (pid, targets);
        DateTimeOffset now = connectionEvent.Timestamp;
        targets.Hosts.Expire(now - window);
        targets.Ports.Expire(now - window);
        targets.LastSeen = now;
        if (connectionEvent.Kind == ConnectionEventKind.Opened)
        {
            targets.Attempts++; // a failed close is the same attempt (it counts as a target only in case the Opened was lost)
        }
        IPAddress address = CanonicalAddress.Of(connectionEvent.Remote.Address);
        int port = connectionEvent.Remote.Port;
        bool newHost = targets.Hosts.Add(address, now);
        bool newPort = targets.Ports.Add(port, now);

        if (targets.Sweep is { } sweep)
        {
            // Already scanning: each new target is evidence for the incident (the pipeline folds it), nothing else is.
            return sweep.Add(address, port) ? Alert(connectionEvent, context, targets, sweep, address) : null;
        }

        // Alert once per crossing: at the event that brings a count to its threshold.
        bool hostsCrossed = newHost && targets.Hosts.Count == hostsThreshold;
        bool portsCrossed = newPort && targets.Ports.Count == portsThreshold;
        if (!hostsCrossed && !portsCrossed)
        {
            return null;
        }
        var started = Min(targets.Hosts.OldestSighting(), targets.Ports.OldestSighting()) ?? now;
        targets.Sweep = sweep = new ScanSweep(started, byPorts: portsCrossed && !hostsCrossed);
        foreach (var host in targets.Hosts.Values)
        {
            sweep.Add(host, port);
        }
        foreach (int tried in targets.Ports.Values)
        {
            sweep.Add(address, tried);
        }
        return Alert(connectionEvent, context, targets, sweep, address);
    }

    private AlertRecord Alert(ConnectionEvent connectionEvent, AlertContext context, ProcessTargets targets, ScanSweep sweep, IPAddress address)
    {
        int pid = connectionEvent.Process.Pid;
        bool byPorts = sweep.ByPorts;
        int count = byPorts ? sweep.Ports : sweep.Hosts;
        TimeSpan span = connectionEvent.Timestamp - sweep.Start;
        string rate = span.TotalSeconds >= 0.001
            ? string.Create(CultureInfo.InvariantCulture, $" ({count / span.TotalSeconds:0.#} {(byPorts ? "ports" : "hosts")}/s)")
            : string.Empty;
        string sample = byPorts
            ? $"ports on {address}: {string.Join(", ", targets.Ports.Values.Take(SampleSize).Select(p => p.ToString(CultureInfo.InvariantCulture)))}"
            : $"hosts: {string.Join(", ", targets.Hosts.Values.Take(SampleSize))}";
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = Severity.Medium,
            Message = $"{connectionEvent.Process.Name} (pid {pid}) reached {sweep.Hosts} distinct hosts and " +
                      $"{sweep.Ports} distinct ports in {HumanFormat.Duration(span)}{rate}, {targets.Attempts} attempts, threshold " +
                      $"{(byPorts ? $"{portsThreshold} ports" : $"{hostsThreshold} hosts")} in {HumanFormat.Duration(window)}; {sample}" +
                      (count > SampleSize ? ", …" : string.Empty),
            Process = connectionEvent.Process,
            Value = count,
            Threshold = byPorts ? portsThreshold : hostsThreshold,
            Unit = byPorts ? "distinct_ports" : "distinct_hosts",
            Window = window,
            ActivityStart = sweep.Start,
            Transport = connectionEvent.Transport,
            // A port sweep of one host names the host as the destination; a host sweep has many, all in related.ip.
            Remote = sweep.Hosts == 1 ? new IPEndPoint(address, 0) : null,
            RelatedAddresses = [.. targets.Hosts.Values.Take(SampleSize)],
            Targets = byPorts
                ? [.. targets.Ports.Values.Take(SampleSize).Select(p => p.ToString(CultureInfo.InvariantCulture))]
                : [.. targets.Hosts.Values.Take(SampleSize).Select(a => a.ToString())],
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
        };
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        List<int>? idle = null;
        foreach (var (pid, targets) in _byPid)
        {
            if (interval.End - targets.LastSeen > window)
            {
                (idle ??= []).Add(pid);
            }
        }
        if (idle is not null)
        {
            foreach (int pid in idle)
            {
                _byPid.Remove(pid);
            }
            _last = null;
        }
    }

    /// <summary>Forgets the process unless the pid has made attempts since the exit (reused by a new process).</summary>
    public void OnProcessEnded(int pid, DateTimeOffset exitedAt)
    {
        if (_byPid.TryGetValue(pid, out var targets) && targets.LastSeen <= exitedAt)
        {
            _byPid.Remove(pid);
            if (ReferenceEquals(_last, targets))
            {
                _last = null;
            }
        }
    }

    private sealed class ProcessTargets(int capacity)
    {
        public DistinctTargetWindow<IPAddress> Hosts { get; } = new(capacity);
        public DistinctTargetWindow<int> Ports { get; } = new(capacity);
        public DateTimeOffset LastSeen { get; set; }
        /// <summary>Set once a threshold is crossed, until the process is forgotten (idle for a window).</summary>
        public ScanSweep? Sweep { get; set; }
        /// <summary>Connects (Opened) since the process was first tracked (it is forgotten after a window without any).</summary>
        public long Attempts { get; set; }
    }
}
