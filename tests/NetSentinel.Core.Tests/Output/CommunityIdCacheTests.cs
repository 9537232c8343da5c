using System.Net;
using System.Text;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public sealed class CommunityIdCacheTests
{
    [Fact]
    public void EveryFlowGetsItsOwnIdWhateverTheSlotsHeld()
    {
        // Ids that share slots (256 apart), an id seen again with another five-tuple, both protocols, both families.
        var random = new Random(15);
        for (int i = 0; i < 5000; i++)
        {
            ulong id = (ulong)random.Next(0, 4) * 256 + (ulong)random.Next(0, 3);
            bool v6 = random.Next(2) == 0;
            var local = new IPEndPoint(IPAddress.Parse(v6 ? $"2001:db8::{random.Next(1, 3)}" : $"198.51.100.{random.Next(1, 3)}"), random.Next(1, 4));
            var remote = new IPEndPoint(IPAddress.Parse(v6 ? "2001:db8::9" : "198.51.100.9"), random.Next(1, 4));
            byte protocol = random.Next(2) == 0 ? CommunityId.Tcp : CommunityId.Udp;

            string cached = Encoding.ASCII.GetString(CommunityIdCache.Get(id, local, remote, protocol));

            Assert.Equal(CommunityId.Compute(local.Address, local.Port, remote.Address, remote.Port, protocol), cached);
        }
    }
}
