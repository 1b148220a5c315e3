using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// The transformer feed-forward block Down · GELU(Up · x) with the exact erf GELU (PyTorch's nn.GELU() and
/// transformers' ACT2FN["gelu"]; the tanh approximation is "gelu_new"/"gelu_pytorch_tanh", not this).
/// </summary>
public sealed record GeluFeedForward(LinearWeights Up, LinearWeights Down)
{
    public Tensor Apply(GgmlContext ctx, Tensor x) => Down.Apply(ctx, ctx.GeluErf(Up.Apply(ctx, x)));

    /// <summary>
    /// <see cref="Apply"/> with both products over all rows at once (<see cref="LinearWeights.ApplyAcrossRows"/>; single
    /// positions in <paramref name="form"/>) and,
    /// with <paramref name="cpuKernel"/>, the GELU by our vectorized CPU kernel (<see cref="GgmlContext.GeluErfKernel"/>:
    /// ggml's calls libm's erff per element, a few ms per decode step of a 24-layer model).
    /// </summary>
    public Tensor ApplyAcrossRows(GgmlContext ctx, Tensor x, bool cpuKernel = false, ProductForm form = ProductForm.OneMatrix)
    {
        var up = ProductForms.Apply(ctx, Up, x, form);
        return ProductForms.Apply(ctx, Down, cpuKernel && up.IsContiguous ? ctx.GeluErfKernel(up) : ctx.GeluErf(up), form);
    }
}
