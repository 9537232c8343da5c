using NetSentinel.Core.Dns;

namespace NetSentinel.Core.Tests.Dns;

public class RegistrableDomainTests
{
    [Theory]
    [InlineData("www.example.com", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("com", "com")]
    [InlineData("a.b.c.example.test", "example.test")]
    [InlineData("www.bbc.co.uk", "bbc.co.uk")]
    [InlineData("bbc.co.uk", "bbc.co.uk")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("user.github.io", "user.github.io")]
    [InlineData("cdn.user.github.io", "user.github.io")]
    [InlineData("bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com")]
    [InlineData("x.bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com")]
    [InlineData("d111.cloudfront.net", "d111.cloudfront.net")]
    [InlineData("example.com.", "example.com")]
    [InlineData("localhost", "localhost")]
    public void Groups_names_under_the_part_an_owner_registers(string name, string expected) =>
        Assert.Equal(expected, RegistrableDomain.Of(name));
}
