using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>Tensors that are strided views into storages (transposes, slices, broadcasts, shared storages), read element by element.</summary>
public sealed class PyTorchTensorViewTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly PyTorchCheckpoint _checkpoint;

    public PyTorchTensorViewTests()
    {
        Entry[] entries =
        [
            // x = arange(6).view(2, 3); x.t()
            new("transposed", "FloatStorage", "0", 6, 0, [3, 2], [1, 3]),
            // arange(12).view(3, 4)[:, 1::2]
            new("column_slice", "FloatStorage", "1", 12, 1, [3, 2], [4, 2]),
            // the same storage, rows 1..2 (contiguous, offset 4)
            new("row_slice", "FloatStorage", "1", 12, 4, [2, 4], [4, 1]),
            // tensor([7, 8, 9]).expand(2, 3)
            new("expanded", "FloatStorage", "2", 3, 0, [2, 3], [0, 1]),
            new("scalar", "FloatStorage", "3", 1, 0, [], []),
            new("half_transposed", "HalfStorage", "4", 4, 0, [2, 2], [1, 2]),
            new("bf16_tail", "BFloat16Storage", "5", 6, 3, [2], [1]),
            new("doubles", "DoubleStorage", "6", 2, 0, [2], [1]),
            new("longs", "LongStorage", "7", 2, 0, [2], [1]),
            new("bools", "BoolStorage", "8", 3, 0, [3], [1]),
            // arange(24).view(2, 3, 4).permute(2, 0, 1)
            new("permuted", "FloatStorage", "9", 24, 0, [4, 2, 3], [1, 12, 4]),
            new("empty", "FloatStorage", "10", 0, 0, [0, 3], [3, 1]),
        ];
        (string, byte[])[] storages =
        [
            ("0", Floats(Range(6))),
            ("1", Floats(Range(12))),
            ("2", Floats(7, 8, 9)),
            ("3", Floats(42)),
            ("4", Halves(1, 2, 0.5f, -3)),
            ("5", BFloat16s(1, 2, 3, 4, 5, 6)),
            ("6", Doubles(0.1, 1e300)),
            ("7", Longs(-5, 1L << 40)),
            ("8", [1, 0, 1]),
            ("9", Floats(Range(24))),
            ("10", []),
        ];
        _checkpoint = PyTorchCheckpoint.Open(Write(_temp, "views.pth", entries, storages));
    }

    public void Dispose()
    {
        _checkpoint.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Transposed_view_is_gathered_in_row_major_order()
    {
        Assert.False(_checkpoint.Get("transposed").IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], _checkpoint.ReadFloat32("transposed"));
    }

    [Fact]
    public void Slices_with_an_offset_read_only_their_elements()
    {
        Assert.Equal([1f, 3, 5, 7, 9, 11], _checkpoint.ReadFloat32("column_slice"));
        Assert.True(_checkpoint.Get("row_slice").IsContiguous);
        Assert.Equal([4f, 5, 6, 7, 8, 9, 10, 11], _checkpoint.ReadFloat32("row_slice"));
        Assert.Same(_checkpoint.Get("column_slice").Storage, _checkpoint.Get("row_slice").Storage);
        Assert.Equal(4 * 4, _checkpoint.GetByteRange(_checkpoint.Get("row_slice")).Offset - _checkpoint.GetByteRange(_checkpoint.Get("row_slice").Storage).Offset);
    }

    [Fact]
    public void Broadcast_view_with_stride_zero_repeats_its_storage()
    {
        Assert.Equal([7f, 8, 9, 7, 8, 9], _checkpoint.ReadFloat32("expanded"));
        Assert.Equal(3, _checkpoint.Get("expanded").StorageExtent);
    }

    [Fact]
    public void Three_dimensional_permutation_matches_the_index_formula()
    {
        float[] values = _checkpoint.ReadFloat32("permuted");
        int i = 0;
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(a + 12 * b + 4 * c, values[i++]);
    }

    [Fact]
    public void Scalar_and_empty_tensors_have_one_and_zero_elements()
    {
        Assert.Empty(_checkpoint.Shape("scalar"));
        Assert.Equal([42f], _checkpoint.ReadFloat32("scalar"));
        Assert.Equal([0L, 3], _checkpoint.Shape("empty"));
        Assert.Empty(_checkpoint.ReadFloat32("empty"));
    }

    [Fact]
    public void Reduced_precision_and_double_views_are_converted_exactly()
    {
        Assert.Equal(SafetensorsDType.F16, _checkpoint.DType("half_transposed"));
        Assert.Equal([1f, 0.5f, 2, -3], _checkpoint.ReadFloat32("half_transposed"));
        Assert.Equal([4f, 5], _checkpoint.ReadFloat32("bf16_tail"));
        Assert.Equal([(float)0.1, float.PositiveInfinity], _checkpoint.ReadFloat32("doubles"));
    }

    [Fact]
    public void Integer_storages_read_as_int64_but_not_as_float()
    {
        Assert.Equal([-5L, 1L << 40], _checkpoint.ReadInt64("longs"));
        Assert.Equal([1L, 0, 1], _checkpoint.ReadInt64("bools"));
        var e = Assert.Throws<InvalidOperationException>(() => _checkpoint.ReadFloat32("longs"));
        Assert.Contains("'longs'", e.Message);
        Assert.Contains("I64", e.Message);
        var f = Assert.Throws<InvalidOperationException>(() => _checkpoint.ReadInt64("doubles"));
        Assert.Contains("F64", f.Message);
    }

    [Fact]
    public void Strided_views_have_no_contiguous_bytes_and_destinations_must_fit()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _checkpoint.GetContiguousBytes("transposed"));
        Assert.Contains("stride (1, 3)", e.Message);
        Assert.Equal(Floats(4, 5, 6, 7, 8, 9, 10, 11), _checkpoint.GetContiguousBytes("row_slice").ToArray());
        var wrong = Assert.Throws<ArgumentException>(() => _checkpoint.ReadFloat32("transposed", new float[5]));
        Assert.Contains("6", wrong.Message);
    }

    [Fact]
    public void Zip64_records_are_read_like_plain_ones()
    {
        Entry[] entries = [new("transposed", "FloatStorage", "0", 6, 0, [3, 2], [1, 3])];
        using var zip64 = PyTorchCheckpoint.Open(Write(_temp, "zip64.pth", entries, [("0", Floats(Range(6)))], forceZip64: true));
        Assert.Equal([0f, 3, 1, 4, 2, 5], zip64.ReadFloat32("transposed"));
        Assert.Equal(1L, zip64.Values["epoch"]);
    }
}
