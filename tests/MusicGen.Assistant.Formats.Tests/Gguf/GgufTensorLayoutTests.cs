using MusicGen.Assistant.Native;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

public sealed class GgufTensorLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Bits<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Pattern(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    /// <summary>Tensors of several types and odd sizes, so padding is needed between them.</summary>
    private static List<(string Name, GgmlType Type, long[] Ne, ReadOnlyMemory<byte> Data)> MixedTensors() =>
    [
        ("f32", GgmlType.F32, [3, 2], Bits(1f, -2f, 3.5f, 0f, 1e-8f, -1e8f)),
        ("f16", GgmlType.F16, [5], Bits<ushort>(0x3C00, 0xC000, 0x0001, 0x7C00, 0x3800)),
        ("q8_0", GgmlType.Q8_0, [64, 2], Pattern(4 * 34, 1)),
        ("q4_0", GgmlType.Q4_0, [32], Pattern(18, 2)),
        ("i32", GgmlType.I32, [7], Bits(1, -2, 3, -4, 5, -6, int.MaxValue)),
        ("bf16", GgmlType.BF16, [3], Bits<ushort>(0x3F80, 0xC040, 0x4049)),
        ("i8", GgmlType.I8, [5, 1, 1, 1], Bits<sbyte>(-1, 2, -3, 4, -128)),
    ];

    [Theory]
    [InlineData(32u, false)]
    [InlineData(64u, true)]
    [InlineData(256u, true)]
    public void Tensors_of_several_types_round_trip_at_aligned_offsets(uint alignment, bool setAlignment)
    {
        string path = _temp.File($"mixed{alignment}.gguf");
        var metadata = new List<KeyValuePair<string, GgufValue>> { new("general.architecture", "test") };
        if (setAlignment)
        {
            metadata.Add(new(GgufConstants.AlignmentKey, alignment));
        }
        var tensors = MixedTensors();
        GgufWriter.Write(path, metadata, tensors);

        using var file = GgufFile.Open(path);

        Assert.Equal(alignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        Assert.Equal(tensors.Select(t => t.Name), file.Tensors.Select(t => t.Name));
        foreach (var (name, type, ne, data) in tensors)
        {
            GgufTensorInfo info = file.GetTensor(name);
            Assert.Equal(type, info.Type);
            Assert.Equal(ne, info.Ne);
            Assert.Equal(0, info.Offset % alignment);
            Assert.Equal(info.Offset, file.DataOffset + info.RelativeOffset);
            Assert.Equal(data.ToArray(), file.GetTensorBytes(name).ToArray());
        }
        Assert.Equal([1f, -2f, 3.5f, 0f, 1e-8f, -1e8f], file.ReadFloat32("f32"));
        Assert.Equal([1f, -2f, MathF.Pow(2, -24), float.PositiveInfinity, 0.5f], file.ReadFloat32("f16"));
        Assert.Equal([1f, -3f, 3.140625f], file.ReadFloat32("bf16"));
        // Every tensor's data, including the last, is padded to the alignment.
        Assert.Equal(0, file.FileLength % alignment);
    }

    [Fact]
    public void Writer_output_matches_a_file_encoded_by_hand_from_the_specification()
    {
        string path = _temp.File("tiny.gguf");
        GgufWriter.Write(path,
            [new("general.name", "tiny"), new("tiny.count", 7u)],
            [("w", GgmlType.F32, [2, 1], Bits(1f, 2f)), ("b", GgmlType.F16, [1], Bits<ushort>(0x3C00))]);

        byte[] expected = new GgufBytes()
            .Header(version: 3, tensorCount: 2, kvCount: 2)
            .KvString("general.name", "tiny")
            .KvU32("tiny.count", 7)
            .TensorInfo("w", [2, 1], type: 0, offset: 0)
            .TensorInfo("b", [1], type: 1, offset: 32)
            .PadTo(32)
            .Raw(Bits(1f, 2f)).PadTo(32)
            .Raw(Bits<ushort>(0x3C00)).PadTo(32)
            .ToArray();

        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Streaming_a_tensor_in_chunks_gives_the_same_file_as_one_write()
    {
        byte[] big = Pattern(10 * 34, 5); // q8_0 with ne = {64, 5}: 2 blocks per row x 5 rows, 34 bytes each
        string whole = _temp.File("whole.gguf");
        string chunked = _temp.File("chunked.gguf");
        GgufWriter.Write(whole, [], [("q", GgmlType.Q8_0, [64, 5], big), ("s", GgmlType.F32, [1], Bits(9f))]);

        using (var writer = new GgufWriter(chunked))
        {
            writer.AddTensor("q", GgmlType.Q8_0, [64, 5]);
            writer.AddTensor("s", GgmlType.F32, [1], byteLength: 4);
            writer.WriteHeader();
            foreach (var chunk in big.Chunk(37))
            {
                writer.WriteTensorData("q", chunk);
            }
            writer.WriteTensorData("s", Bits(9f));
            writer.Finish();
        }

        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(chunked));
    }

    [Fact]
    public void Writing_to_a_non_seekable_stream_gives_the_same_bytes_as_a_file()
    {
        string path = _temp.File("file.gguf");
        var tensors = MixedTensors();
        GgufWriter.Write(path, [new("k", 1)], tensors);
        var sink = new ForwardOnlyStream();

        using (var writer = new GgufWriter(sink, leaveOpen: true))
        {
            writer.SetMetadata("k", 1);
            tensors.ForEach(t => writer.AddTensor(t.Name, t.Type, t.Ne, t.Data.Length));
            writer.WriteHeader();
            tensors.ForEach(t => writer.WriteTensorData(t.Name, t.Data.Span));
            writer.Finish();
        }

        Assert.Equal(File.ReadAllBytes(path), sink.Written.ToArray());
    }

    [Fact]
    public void Quantized_tensors_cannot_be_read_as_float()
    {
        string path = _temp.File("q.gguf");
        GgufWriter.Write(path, [], [("q", GgmlType.Q4_0, [32], Pattern(18, 0))]);
        using var file = GgufFile.Open(path);

        var e = Assert.Throws<InvalidOperationException>(() => file.ReadFloat32("q"));

        Assert.Contains("'q'", e.Message);
        Assert.Contains("q4_0", e.Message);
    }

    [Fact]
    public void Missing_tensor_lists_close_names()
    {
        string path = _temp.File("names.gguf");
        GgufWriter.Write(path, [], [("blk.0.attn_q.weight", GgmlType.F32, [1], Bits(1f))]);
        using var file = GgufFile.Open(path);

        var e = Assert.Throws<KeyNotFoundException>(() => file.GetTensor("blk.0.attn_k.weight"));

        Assert.Contains("'blk.0.attn_q.weight'", e.Message);
        Assert.Contains(file.Path, e.Message);
    }

    /// <summary>A write-only stream that cannot seek, like a pipe.</summary>
    private sealed class ForwardOnlyStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
