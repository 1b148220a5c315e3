using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Formats.Tests.Interop;

/// <summary>Our managed GGUF code and ggml's own gguf reader/writer agree on the same files.</summary>
public class NativeGgufAgreementTests
{
    [Fact]
    public void Ggml_reads_what_the_managed_writer_wrote()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "m.gguf");
        var q8 = Quantizer.Quantize(Enumerable.Range(0, 64).Select(i => i / 10f).ToArray(), 64, GgmlType.Q8_0);
        GgufWriter.Write(path,
            [new("general.architecture", "encodec"), new("x.ratios", GgufArray.Of(8, 5, 4, 4)), new("x.flag", true), new("x.rate", 2.5f)],
            [
                ("a", GgmlType.F32, [3L, 2], new byte[24]),
                ("b", GgmlType.Q8_0, [64L], q8),
                ("c", GgmlType.F16, [5L], new byte[10]),
            ]);
        var native = NativeGguf.Inspect(path);
        using var managed = GgufFile.Open(path);
        Assert.Equal(3u, native.Version);
        Assert.Equal(managed.DataOffset, native.DataOffset);
        Assert.Equal(managed.Alignment, (uint)native.Alignment);
        Assert.Equal("encodec", native.Strings["general.architecture"]);
        Assert.Equal(9, native.KeyTypes["x.ratios"]);   // ARRAY
        Assert.Equal(7, native.KeyTypes["x.flag"]);     // BOOL
        Assert.Equal(managed.Tensors.Select(t => (t.Name, t.Type, t.RelativeOffset, t.ByteLength)),
            native.Tensors.Select(t => (t.Name, t.Type, t.Offset, t.Size)));
    }

    [Fact]
    public void The_managed_reader_reads_what_ggml_wrote()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "n.gguf");
        NativeGguf.WriteMetadata(path, [
            new("general.architecture", "encodec"), new("x.count", 7u), new("x.delta", -3), new("x.rate", 0.25f),
            new("x.flag", false), new("x.list", new[] { 1, 2, 3 }),
        ]);
        using var f = GgufFile.Open(path);
        Assert.Equal("encodec", f.Metadata.GetString("general.architecture"));
        Assert.Equal(7u, f.Metadata.GetUInt32("x.count"));
        Assert.Equal(-3, f.Metadata.GetInt32("x.delta"));
        Assert.Equal(0.25f, f.Metadata.GetFloat32("x.rate"));
        Assert.False(f.Metadata.GetBool("x.flag"));
        Assert.Equal([1, 2, 3], f.Metadata.GetInt32Array("x.list").ToArray());
        Assert.Empty(f.Tensors);
    }
}
