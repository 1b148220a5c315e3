using MusicGen.Assistant.Native;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

public sealed class GgmlTypeInfoTests
{
    [Theory]
    [InlineData(GgmlType.F32, 0u, 1, 4)]
    [InlineData(GgmlType.F16, 1u, 1, 2)]
    [InlineData(GgmlType.Q4_0, 2u, 32, 18)]
    [InlineData(GgmlType.Q8_0, 8u, 32, 34)]
    [InlineData(GgmlType.I8, 24u, 1, 1)]
    [InlineData(GgmlType.I16, 25u, 1, 2)]
    [InlineData(GgmlType.I32, 26u, 1, 4)]
    [InlineData(GgmlType.I64, 27u, 1, 8)]
    [InlineData(GgmlType.F64, 28u, 1, 8)]
    [InlineData(GgmlType.BF16, 30u, 1, 2)]
    public void Types_the_project_writes_have_the_ggml_ids_and_block_layouts(GgmlType type, uint id, int blockSize, int bytesPerBlock)
    {
        GgmlTypeInfo info = GgmlTypeInfo.Get(type);

        Assert.Equal(id, (uint)type);
        Assert.Equal(blockSize, info.BlockSize);
        Assert.Equal(bytesPerBlock, info.BytesPerBlock);
        Assert.True(GgmlTypeInfo.TryGet(id, out GgmlTypeInfo byId));
        Assert.Same(info, byId);
    }

    [Theory]
    // Bits per weight as llama.cpp documents them for its k-quants: bytes per 256-element block x 8 / 256.
    [InlineData(GgmlType.Q2_K, 2.625)]
    [InlineData(GgmlType.Q3_K, 3.4375)]
    [InlineData(GgmlType.Q4_K, 4.5)]
    [InlineData(GgmlType.Q5_K, 5.5)]
    [InlineData(GgmlType.Q6_K, 6.5625)]
    [InlineData(GgmlType.Q4_0, 4.5)]
    [InlineData(GgmlType.Q8_0, 8.5)]
    public void Quantized_types_have_their_documented_bits_per_weight(GgmlType type, double bitsPerWeight)
    {
        GgmlTypeInfo info = GgmlTypeInfo.Get(type);

        Assert.Equal(bitsPerWeight, info.BytesPerBlock * 8.0 / info.BlockSize);
    }

    [Fact]
    public void Row_and_tensor_sizes_follow_the_block_layout()
    {
        Assert.Equal(68, GgmlTypeInfo.Get(GgmlType.Q8_0).RowSize(64));
        Assert.Equal(36, GgmlTypeInfo.Get(GgmlType.Q4_0).RowSize(64));
        Assert.Equal(6, GgmlTypeInfo.Get(GgmlType.F16).RowSize(3));
        Assert.Equal(2 * 34 * 3 * 5, GgmlTypeInfo.Get(GgmlType.Q8_0).TensorByteSize([64, 3, 5]));
        Assert.Equal(0, GgmlTypeInfo.Get(GgmlType.F32).TensorByteSize([7, 0]));
    }

    [Fact]
    public void Row_length_that_is_not_a_multiple_of_the_block_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => GgmlTypeInfo.Get(GgmlType.Q8_0).TensorByteSize([33, 2]));

        Assert.StartsWith("ne[0]=33 is not a multiple of the block size 32 of q8_0", e.Message);
    }

    [Fact]
    public void Negative_and_overflowing_shapes_are_refused()
    {
        GgmlTypeInfo f32 = GgmlTypeInfo.Get(GgmlType.F32);

        Assert.Equal("ne[1]=-1 is negative", f32.CheckShape([4, -1], out _));
        Assert.Contains("too large", f32.CheckShape([long.MaxValue / 2, 4], out _));
    }

    [Fact]
    public void Removed_type_ids_are_unknown()
    {
        Assert.False(GgmlTypeInfo.TryGet(4, out _));
        Assert.False(GgmlTypeInfo.TryGet(31, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgmlTypeInfo.Get((GgmlType)5));
    }
}
