using MusicGen.Assistant.Native;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

/// <summary>Every malformed file fails with a GgufFormatException naming the file, the key or tensor, and the problem.</summary>
public sealed class GgufCorruptInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private GgufFormatException OpenFails(byte[] bytes)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".gguf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    /// <summary>A valid file with one string key and an f32 tensor of four elements, built by hand.</summary>
    private static GgufBytes OneTensorFile(uint version = 3, uint type = 0, ulong offset = 0, long ne0 = 4) =>
        new GgufBytes()
            .Header(version, tensorCount: 1, kvCount: 1)
            .KvString("general.name", "x")
            .TensorInfo("w", [ne0], type, offset)
            .PadTo(32)
            .Raw(new byte[16]);

    [Fact]
    public void Hand_built_baseline_is_valid()
    {
        string path = OneTensorFile().WriteTo(_temp.File("ok.gguf"));

        using var file = GgufFile.Open(path);

        Assert.Equal("x", file.Metadata.GetString("general.name"));
        Assert.Equal(new float[4], file.ReadFloat32("w"));
    }

    [Fact]
    public void Bad_magic()
    {
        byte[] bytes = OneTensorFile().ToArray();
        "GGML"u8.CopyTo(bytes);

        var e = OpenFails(bytes);

        Assert.Contains("bad magic", e.Message);
        Assert.Contains("'GGML'", e.Message);
    }

    [Theory]
    [InlineData(1u, "GGUF version 1 is not supported; only version 3 is")]
    [InlineData(2u, "GGUF version 2 is not supported; only version 3 is")]
    [InlineData(4u, "unknown GGUF version 4")]
    [InlineData(0x03000000u, "big-endian")]
    public void Unsupported_versions(uint version, string fragment)
    {
        var e = OpenFails(OneTensorFile(version).ToArray());

        Assert.Contains(fragment, e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    public void File_cut_inside_the_fixed_header(int length)
    {
        var e = OpenFails(OneTensorFile().ToArray()[..length]);

        Assert.Contains(length < 4 ? "too short" : "truncated", e.Message);
    }

    [Fact]
    public void Truncated_tensor_data_names_the_tensor()
    {
        byte[] bytes = OneTensorFile().ToArray();

        var e = OpenFails(bytes[..^1]);

        Assert.Equal("tensor 'w'", e.Subject);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"end of the file ({bytes.Length - 1} bytes)", e.Message);
    }

    [Fact]
    public void Truncated_writer_output_names_the_last_tensor()
    {
        string path = _temp.File("cut.gguf");
        GgufWriter.Write(path, [], [("a", GgmlType.F32, [8], new byte[32]), ("b", GgmlType.F16, [16], new byte[32])]);
        byte[] bytes = File.ReadAllBytes(path);

        var e = OpenFails(bytes[..^10]);

        Assert.Equal("tensor 'b'", e.Subject);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void File_cut_inside_a_metadata_string_names_the_key()
    {
        byte[] bytes = new GgufBytes().Header(3, 0, 1).KvString("general.description", "a long description").ToArray();

        var e = OpenFails(bytes[..^5]);

        Assert.Equal("metadata key 'general.description'", e.Subject);
        Assert.Contains("string length 18", e.Message);
        Assert.Contains("runs past the end of the file", e.Message);
    }

    [Fact]
    public void Absurd_counts_are_refused_before_allocating()
    {
        var tensors = OpenFails(new GgufBytes().Header(3, tensorCount: long.MaxValue, kvCount: 0).ToArray());
        var keys = OpenFails(new GgufBytes().Header(3, tensorCount: 0, kvCount: 1_000_000).ToArray());
        var array = OpenFails(new GgufBytes().Header(3, 0, 1).Str("tokens").U32(9).U32(8).U64(1UL << 40).ToArray());

        Assert.Contains("tensor_count 9223372036854775807 is absurd", tensors.Message);
        Assert.Contains("kv_count 1000000 is absurd", keys.Message);
        Assert.Equal("metadata key 'tokens'", array.Subject);
        Assert.Contains("array of 1099511627776 STRING elements", array.Message);
    }

    [Fact]
    public void Unknown_value_type_names_the_key()
    {
        var e = OpenFails(new GgufBytes().Header(3, 0, 1).Str("weird").U32(13).U32(0).ToArray());

        Assert.Equal("metadata key 'weird'", e.Subject);
        Assert.Contains("unknown value type 13", e.Message);
    }

    [Fact]
    public void Unknown_array_element_type_names_the_key()
    {
        var e = OpenFails(new GgufBytes().Header(3, 0, 1).Str("arr").U32(9).U32(99).U64(0).ToArray());

        Assert.Contains("unknown array element type 99", e.Message);
        Assert.Equal("metadata key 'arr'", e.Subject);
    }

    [Fact]
    public void Unknown_ggml_type_names_the_tensor()
    {
        var e = OpenFails(OneTensorFile(type: 4).ToArray());

        Assert.Equal("tensor 'w'", e.Subject);
        Assert.Contains("unknown ggml type id 4", e.Message);
    }

    [Fact]
    public void Row_length_not_a_multiple_of_the_block_size_names_the_tensor()
    {
        var e = OpenFails(OneTensorFile(type: 8, ne0: 4).ToArray());

        Assert.Contains("tensor 'w': ne[0]=4 is not a multiple of the block size 32 of q8_0", e.Message);
    }

    [Fact]
    public void Misaligned_offset_names_the_tensor()
    {
        var e = OpenFails(OneTensorFile(offset: 8).ToArray());

        Assert.Equal("tensor 'w'", e.Subject);
        Assert.Contains("data offset 8 is not a multiple of the alignment 32", e.Message);
    }

    [Fact]
    public void Overlapping_tensors_name_both()
    {
        byte[] bytes = new GgufBytes()
            .Header(3, tensorCount: 2, kvCount: 0)
            .TensorInfo("a", [16], 0, 0)   // 64 bytes at 0
            .TensorInfo("b", [4], 0, 32)   // 16 bytes at 32, inside a
            .PadTo(32)
            .Raw(new byte[64])
            .ToArray();

        var e = OpenFails(bytes);

        Assert.Equal("tensor 'b'", e.Subject);
        Assert.Contains("overlaps tensor 'a'", e.Message);
    }

    [Fact]
    public void Custom_alignment_is_honoured_when_checking_offsets()
    {
        byte[] bytes = new GgufBytes()
            .Header(3, tensorCount: 2, kvCount: 1)
            .KvU32("general.alignment", 64)
            .TensorInfo("a", [4], 0, 0)
            .TensorInfo("b", [4], 0, 32) // aligned for 32, not for 64
            .PadTo(64)
            .Raw(new byte[128])
            .ToArray();

        var e = OpenFails(bytes);

        Assert.Contains("tensor 'b': data offset 32 is not a multiple of the alignment 64", e.Message);
    }

    [Theory]
    [InlineData(4u, 0u, "alignment 0 is not a power of two")]
    [InlineData(4u, 48u, "alignment 48 is not a power of two")]
    [InlineData(5u, 64u, "has type INT32, expected UINT32")]
    public void Bad_alignment_key(uint valueType, uint value, string fragment)
    {
        var e = OpenFails(new GgufBytes().Header(3, 0, 1).Str("general.alignment").U32(valueType).U32(value).ToArray());

        Assert.Equal("metadata key 'general.alignment'", e.Subject);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Duplicate_keys_and_tensors_are_refused()
    {
        var key = OpenFails(new GgufBytes().Header(3, 0, 2).KvU32("k", 1).KvU32("k", 2).ToArray());
        var tensor = OpenFails(new GgufBytes().Header(3, 2, 0).TensorInfo("w", [4], 0, 0).TensorInfo("w", [4], 0, 32)
            .PadTo(32).Raw(new byte[64]).ToArray());

        Assert.Contains("metadata key 'k': appears more than once", key.Message);
        Assert.Contains("tensor 'w': appears more than once", tensor.Message);
    }

    [Fact]
    public void Bad_dimension_count_and_negative_dimension_are_refused()
    {
        var fiveDims = OpenFails(new GgufBytes().Header(3, 1, 0).TensorInfo("w", [1, 1, 1, 1, 1], 0, 0).PadTo(32).Raw(new byte[4]).ToArray());
        var negative = OpenFails(new GgufBytes().Header(3, 1, 0).TensorInfo("w", [4, -1], 0, 0).PadTo(32).ToArray());

        Assert.Contains("tensor 'w': n_dims 5 is out of range 1..4", fiveDims.Message);
        Assert.Contains("tensor 'w': ne[1]=-1 is negative", negative.Message);
    }

    [Fact]
    public void Tensor_name_longer_than_ggml_allows_is_refused()
    {
        string name = new('n', 64);
        var e = OpenFails(new GgufBytes().Header(3, 1, 0).TensorInfo(name, [1], 0, 0).PadTo(32).Raw(new byte[4]).ToArray());

        Assert.Contains("name is 64 bytes; ggml allows at most 63", e.Message);
    }

    [Fact]
    public void Bool_byte_other_than_0_or_1_is_refused()
    {
        var e = OpenFails(new GgufBytes().Header(3, 0, 1).Str("flag").U32(7).U8(2).ToArray());

        Assert.Equal("metadata key 'flag'", e.Subject);
        Assert.Contains("is 2, not 0 or 1", e.Message);
    }

    [Fact]
    public void Invalid_utf8_string_names_the_key()
    {
        var e = OpenFails(new GgufBytes().Header(3, 0, 1).Str("name").U32(8).U64(2).Raw([0xC3, 0x28]).ToArray());

        Assert.Equal("metadata key 'name'", e.Subject);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Deeply_nested_arrays_are_refused_without_exhausting_the_stack()
    {
        var bytes = new GgufBytes().Header(3, 0, 1).Str("deep").U32(9);
        for (int i = 0; i < 100; i++)
        {
            bytes.U32(9).U64(1);
        }
        bytes.U32(0).U64(0);

        var e = OpenFails(bytes.ToArray());

        Assert.Contains("nested more than 16 deep", e.Message);
    }
}
