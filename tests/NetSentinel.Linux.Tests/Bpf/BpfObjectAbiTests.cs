using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The object's ABI version is read before loading (no privilege needed) and a mismatch is refused in one line.</summary>
public sealed class BpfObjectAbiTests
{
    public BpfObjectAbiTests() => Assert.True(LibBpf.TryLoad(out string? missing), missing);

    [Fact]
    public void TheEmbeddedObjectDeclaresTheVersionThisBuildReads()
    {
        BpfObjectAbi.Check(KernelTracer.LoadEmbeddedObject());
    }

    [Fact]
    public void AnObjectBuiltForAnotherVersionIsRefusedSayingBothVersionsAndWhatToDo()
    {
        byte[] elf = CompileObject($"const volatile unsigned int ns_abi_version __attribute__((section(\"{BpfObjectAbi.SectionName}\"))) = {NsAbi.Version + 7};");

        var refused = Assert.Throws<BpfException>(() => BpfObjectAbi.Check(elf));

        Assert.Equal($"the eBPF object was built for ABI version {NsAbi.Version + 7}, this build of net-sentinel reads version {NsAbi.Version}: rebuild both from one tree with `make`", refused.Message);
    }

    [Fact]
    public void AnObjectDeclaringNoVersionIsRefused()
    {
        byte[] elf = CompileObject("const volatile unsigned int some_setting = 1;");

        var refused = Assert.Throws<BpfException>(() => BpfObjectAbi.Check(elf));

        Assert.Contains("declares no ABI version", refused.Message);
    }

    /// <summary>A minimal BPF object: one socket-filter program and the given global, compiled by the same clang the build uses.</summary>
    private static byte[] CompileObject(string global)
    {
        string dir = Directory.CreateTempSubdirectory("ns-abi-obj-").FullName;
        try
        {
            string source = Path.Combine(dir, "probe.bpf.c"), obj = Path.Combine(dir, "probe.bpf.o");
            File.WriteAllText(source, $"{global}\nchar LICENSE[] __attribute__((section(\"license\"))) = \"GPL\";\n" +
                "__attribute__((section(\"socket\"), used)) int probe(void *ctx) { return 0; }\n");
            var (exit, output) = BpfAbiTests.Run("clang", $"-O2 -g -target bpf -c \"{source}\" -o \"{obj}\"");
            Assert.True(exit == 0, output);
            return File.ReadAllBytes(obj);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
