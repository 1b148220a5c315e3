using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// How a batch of single-position activations {in, 1, rows} (a guided decode step) is multiplied by a weight
/// matrix. Both give the same values up to float summation order; which is faster depends on the host and the type.
/// </summary>
public enum ProductForm
{
    /// <summary>The rows as the columns of one {in, rows} matrix: ggml's GEMM kernels, weights streamed once.</summary>
    OneMatrix,

    /// <summary>One {in, 1} slice per row: ggml's matrix-vector (vec_dot) path, the weights read once per row.</summary>
    RowSlices,
}

public static class ProductForms
{
    /// <summary>Environment variable that fixes the form (matrix | slices) instead of measuring it.</summary>
    public const string OverrideVariable = "MGA_PRODUCT_FORM";

    /// <summary><see cref="OverrideVariable"/>'s form, or null to measure.</summary>
    public static ProductForm? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(OverrideVariable);
        return text switch
        {
            null or "" or "auto" => null,
            _ => Parse(text) ?? throw new ArgumentException($"{OverrideVariable}='{text}' is not matrix, slices or auto"),
        };
    }

    /// <summary>"matrix" / "slices" (as on command lines); null for anything else.</summary>
    public static ProductForm? Parse(string text) => text switch
    {
        "matrix" => ProductForm.OneMatrix,
        "slices" => ProductForm.RowSlices,
        _ => null,
    };

    public static string Name(ProductForm form) => form == ProductForm.OneMatrix ? "matrix" : "slices";

    /// <summary><paramref name="linear"/> applied to x {in, n, rows}: single positions in <paramref name="form"/>, several always as one matrix.</summary>
    public static Tensor Apply(GgmlContext ctx, LinearWeights linear, Tensor x, ProductForm form) =>
        form == ProductForm.RowSlices && x.Ne1 == 1 ? linear.Apply(ctx, x) : linear.ApplyAcrossRows(ctx, x);

    /// <summary>A bare weight product W·x in <paramref name="form"/> (for single positions), else as one matrix.</summary>
    public static Tensor MulMat(GgmlContext ctx, Tensor weight, Tensor x, ProductForm form) =>
        form == ProductForm.RowSlices && x.Ne1 == 1 ? ctx.MulMat(weight, x) : new LinearWeights(weight).ApplyAcrossRows(ctx, x);
}
