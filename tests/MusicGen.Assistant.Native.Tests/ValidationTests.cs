using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>Operands that would trip a GGML_ASSERT (and abort the process) are refused in C# with a clear message.</summary>
public class ValidationTests
{
    [Fact]
    public void MulMat_with_mismatched_inner_size_throws()
    {
        using var ctx = new GgmlContext(16);
        var w = ctx.NewTensor(GgmlType.F32, 8, 4).Named("w");
        var x = ctx.NewTensor(GgmlType.F32, 7, 2).Named("x");
        var e = Assert.Throws<GgmlException>(() => ctx.MulMat(w, x));
        Assert.Contains("inner sizes differ", e.Message);
        Assert.Contains("'w' [8, 4]", e.Message);
    }

    [Fact]
    public void View_past_the_end_throws()
    {
        using var ctx = new GgmlContext(16);
        var a = ctx.NewTensor(GgmlType.F32, 4, 4).Named("a");
        var e = Assert.Throws<GgmlException>(() => ctx.View(a, [4, 2], [16], 12 * 4));
        Assert.Contains("reaches byte", e.Message);
        // overlapping windows are more elements than the source holds: ggml would abort, we refuse
        var o = Assert.Throws<GgmlException>(() => ctx.View(a, [8, 4], [4], 0));
        Assert.Contains("more than the", o.Message);
    }

    [Fact]
    public void Full_context_throws_instead_of_aborting()
    {
        using var ctx = new GgmlContext(4);
        var e = Assert.Throws<GgmlContextFullException>(() => { for (var i = 0; i < 10; i++) ctx.NewTensor(GgmlType.F32, 4); });
        Assert.Equal(4, e.MaxTensors);
    }

    [Fact]
    public void Broadcast_and_reshape_and_quantized_row_checks()
    {
        using var ctx = new GgmlContext(32);
        var a = ctx.NewTensor(GgmlType.F32, 6, 4);
        Assert.Throws<GgmlException>(() => ctx.Add(a, ctx.NewTensor(GgmlType.F32, 4)));
        Assert.Throws<GgmlException>(() => ctx.Reshape(a, 5, 5));
        Assert.Throws<GgmlException>(() => ctx.NewTensor(GgmlType.Q8_0, 33, 2));
        Assert.Throws<GgmlException>(() => ctx.Permute(a, 0, 0, 1, 2));
        Assert.Throws<GgmlException>(() => ctx.Concat(a, ctx.NewTensor(GgmlType.F32, 5, 4), 1));
    }

    [Fact]
    public void Reading_an_unallocated_tensor_throws()
    {
        using var ctx = new GgmlContext(4);
        var a = ctx.NewTensor(GgmlType.F32, 4).Named("weights.x");
        var e = Assert.Throws<GgmlException>(() => a.ToFloatArray());
        Assert.Contains("weights.x", e.Message);
    }

    [Fact]
    public void Out_of_range_indices_are_caught_before_upload()
    {
        var e = Assert.Throws<GgmlException>(() => GgmlContext.CheckIndices([0, 3, 64], 64, "codes"));
        Assert.Contains("index 64 at position 2", e.Message);
    }
}
