using System.Text;
using NetSentinel.Linux.Bpf;

namespace NetSentinel.Linux.Tests.Bpf;

public sealed class RecentTextTests
{
    [Fact]
    public void TheSameBytesGiveTheSameStringAndOtherBytesAnother()
    {
        var text = new RecentText();
        string first = text.Utf8("/usr/bin/python3.13"u8);

        Assert.Same(first, text.Utf8("/usr/bin/python3.13"u8.ToArray()));
        Assert.Equal("/usr/bin/python3.12", text.Utf8("/usr/bin/python3.12"u8));
        Assert.Same(string.Empty, text.Utf8([]));
    }

    [Fact]
    public void WhateverComesInItDecodesAsUtf8DoesWhenItsSlotIsTakenOrTheTextIsLong()
    {
        var text = new RecentText();
        var random = new Random(15);
        for (int i = 0; i < 5_000; i++) // far more texts than slots: every slot is replaced many times
        {
            var bytes = new byte[random.Next(0, RecentText.MaxBytes + 40)];
            random.NextBytes(bytes); // invalid UTF-8 too: U+FFFD as Encoding.UTF8 gives it
            Assert.Equal(Encoding.UTF8.GetString(bytes), text.Utf8(bytes));
            Assert.Equal(Encoding.UTF8.GetString(bytes), text.Utf8(bytes));
        }
    }

    [Fact]
    public void AnExecutablePathIsBuiltFromItsComponentsAsBeforeWithOrWithoutSharing()
    {
        byte[] cut = [0xE2, 0x80]; // a component ending inside a multi-byte sequence
        (byte[] Components, bool Truncated, string? Path)[] cases =
        [
            ("x\0chronyd\0bin\0"u8.ToArray(), false, "/bin/chronyd/x"),
            ("x\0chronyd\0"u8.ToArray(), true, "…/chronyd/x"),
            ("x\0\0bin\0"u8.ToArray(), false, "/bin/x"),
            ([], false, "/"),
            ([], true, null),
            ([.. cut, 0, .. "bin"u8], false, "/bin/" + Encoding.UTF8.GetString(cut)),
            ([0xFF, 0, 0xC3, 0xA9, 0], false, "/é/\uFFFD"),
        ];
        var text = new RecentText();
        foreach (var (components, truncated, path) in cases)
        {
            Assert.Equal(path, ExecIdentity.PathFromLeafFirst(components, truncated));
            Assert.Equal(path, ExecIdentity.PathFromLeafFirst(components, truncated, text));
        }
        Assert.Same(ExecIdentity.PathFromLeafFirst(cases[0].Components, false, text), ExecIdentity.PathFromLeafFirst(cases[0].Components, false, text));
    }
}
