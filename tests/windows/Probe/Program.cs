using System.Net.Sockets;
using NetSentinel.Probe;

// nsprobe: a Windows program with sockets of its own, for the Wine smoke test (tests/windows/smoke.sh).
//   nsprobe hold STOPFILE MAXSECONDS        hold loopback connections (IPv4 and IPv6) until STOPFILE exists
//   nsprobe brief OPENSECONDS AFTERSECONDS  open one IPv4 connection, close it after OPENSECONDS, exit AFTERSECONDS later
//   nsprobe tables DIRECTORY                hold the same sockets as `hold` and write the raw IP Helper tables there
// Every mode prints one "ready ..." line naming its pid and ports once its sockets are up.
if (args.Length < 2) return Usage();
try
{
    switch (args[0])
    {
        case "hold" when args.Length == 3:
        {
            using var sockets = LoopbackSockets.Open(ipv6: true);
            Ready(sockets);
            var deadline = DateTime.UtcNow.AddSeconds(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
            while (!File.Exists(args[1]) && DateTime.UtcNow < deadline) Thread.Sleep(100);
            return 0;
        }
        case "brief" when args.Length == 3:
        {
            using (var sockets = LoopbackSockets.Open(ipv6: false))
            {
                Ready(sockets);
                Thread.Sleep(TimeSpan.FromSeconds(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
            Console.WriteLine("closed");
            Thread.Sleep(TimeSpan.FromSeconds(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)));
            return 0;
        }
        case "tables" when args.Length == 2:
        {
            using var sockets = LoopbackSockets.Open(ipv6: true);
            Directory.CreateDirectory(args[1]);
            foreach (var (name, bytes) in IpHelperTables.ReadAll())
                File.WriteAllBytes(Path.Combine(args[1], name + ".bin"), bytes);
            Ready(sockets);
            return 0;
        }
        default:
            return Usage();
    }
}
catch (Exception error) when (error is SocketException or IOException or FormatException)
{
    Console.Error.WriteLine($"nsprobe: {error.Message}");
    return 3;
}

static void Ready(LoopbackSockets sockets)
{
    Console.WriteLine($"ready pid={Environment.ProcessId} {sockets.Describe()}");
    Console.Out.Flush();
}

static int Usage()
{
    Console.Error.WriteLine("usage: nsprobe hold STOPFILE MAXSECONDS | brief OPENSECONDS AFTERSECONDS | tables DIRECTORY");
    return 2;
}
