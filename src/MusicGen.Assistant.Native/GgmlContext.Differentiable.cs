using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Elementary ops whose backward ggml has (sum, exp, log, abs, sgn, neg, softplus, scale+bias), and the composites a
// training context builds from them in place of ops without a backward (ggml.c ggml_compute_backward covers neither
// TANH, SIGMOID, GELU, ELU nor NORM). Each composite is gradient-checked against finite differences in the tests.
public sealed unsafe partial class GgmlContext
{
    /// <summary>The sum of every element: a {1} tensor.</summary>
    public Tensor Sum(Tensor a)
    {
        RequireF32(a, "sum");
        EnsureRoom(1);
        return new Tensor(GgmlAutogradApi.ggml_sum(Pointer, a.Ptr));
    }

    public Tensor Exp(Tensor a) { Unary(a, "exp"); return new Tensor(GgmlAutogradApi.ggml_exp(Pointer, a.Ptr)); }
    public Tensor Log(Tensor a) { Unary(a, "log"); return new Tensor(GgmlAutogradApi.ggml_log(Pointer, a.Ptr)); }
    public Tensor Abs(Tensor a) { Unary(a, "abs"); return new Tensor(GgmlAutogradApi.ggml_abs(Pointer, a.Ptr)); }
    public Tensor Sgn(Tensor a) { Unary(a, "sgn"); return new Tensor(GgmlAutogradApi.ggml_sgn(Pointer, a.Ptr)); }
    public Tensor Neg(Tensor a) { Unary(a, "neg"); return new Tensor(GgmlAutogradApi.ggml_neg(Pointer, a.Ptr)); }

    /// <summary>log(1 + exp(x)), computed without overflow.</summary>
    public Tensor Softplus(Tensor a) { Unary(a, "softplus"); return new Tensor(GgmlAutogradApi.ggml_softplus(Pointer, a.Ptr)); }

    /// <summary>a·s + b elementwise.</summary>
    public Tensor ScaleBias(Tensor a, float s, float b)
    {
        Require(RowsContiguous(a), "scale_bias", () => $"{S(a)} must be contiguous");
        EnsureRoom(1);
        return new Tensor(GgmlAutogradApi.ggml_scale_bias(Pointer, a.Ptr, s, b));
    }

    /// <summary>sigmoid(x) = exp(x - softplus(x)): never overflows, and its gradient is finite everywhere.</summary>
    public Tensor SigmoidComposite(Tensor x) => Exp(Sub(x, Softplus(x)));

    /// <summary>tanh(x) = 2·sigmoid(2x) - 1 (exact gradient at 0, where the adapter gates start).</summary>
    public Tensor TanhComposite(Tensor x) => ScaleBias(SigmoidComposite(Scale(x, 2f)), 2f, -1f);

    /// <summary>
    /// ELU(x) = x - m + exp(m) - 1 with m = min(x, 0) = -relu(-x): exp never sees a positive input, and at 0 (where
    /// relu's step is 0) the gradient is the true 1.
    /// </summary>
    public Tensor EluComposite(Tensor x)
    {
        var m = Neg(Relu(Neg(x)));
        return Add(Sub(x, m), ScaleBias(Exp(m), 1f, -1f));
    }

    /// <summary>tanh-approximated GELU: x·sigmoid(2·√(2/π)·(x + 0.044715·x³)).</summary>
    public Tensor GeluTanhComposite(Tensor x)
    {
        const float k = 0.7978845608f; // √(2/π)
        var inner = Add(x, Scale(Mul(Sqr(x), x), 0.044715f));
        return Mul(x, SigmoidComposite(Scale(inner, 2 * k)));
    }

    // Abramowitz & Stegun 7.1.26: erf(a) = 1 - t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5))))·exp(-a²), t = 1/(1 + p·a), a ≥ 0,
    // |error| ≤ 1.5e-7: below float32 resolution of GELU's output, so training and inference compute the same function.
    private const float ErfP = 0.3275911f, ErfA1 = 0.254829592f, ErfA2 = -0.284496736f, ErfA3 = 1.421413741f, ErfA4 = -1.453152027f, ErfA5 = 1.061405429f;

    /// <summary>
    /// Exact (erf) GELU x·Φ(x), Φ(x) = (1 + sgn(z)·erf(|z|))/2 with z = x/√2 and erf of |z| by A&amp;S 7.1.26. The gradient
    /// through sgn is zero, so at x = 0 it is Φ(0) = 1/2, the true value.
    /// </summary>
    public Tensor GeluErfComposite(Tensor x)
    {
        var z = Scale(x, 0.70710678f);
        var a = Abs(z);
        var t = Div(ScaleBias(a, 0f, 1f), ScaleBias(a, ErfP, 1f));                      // 1 / (1 + p·a)
        var poly = ScaleBias(t, ErfA5, ErfA4);
        poly = ScaleBias(Mul(poly, t), 1f, ErfA3);
        poly = ScaleBias(Mul(poly, t), 1f, ErfA2);
        poly = ScaleBias(Mul(poly, t), 1f, ErfA1);
        poly = Mul(poly, t);
        var erfAbs = ScaleBias(Mul(poly, Exp(Scale(Sqr(a), -1f))), -1f, 1f);
        var phi = ScaleBias(Mul(Sgn(z), erfAbs), 0.5f, 0.5f);
        return Mul(x, phi);
    }

    /// <summary>
    /// (x - mean) / sqrt(var + eps) over ne[0] from sum_rows, scale, add, mul, sqr, sqrt and a same-shape div. The
    /// per-row statistics are broadcast only through add and mul: ggml's backward of sub and div does not reduce a
    /// broadcast operand's gradient (ggml_mean's backward asserts on per-row means, so the mean is a scaled row sum).
    /// </summary>
    public Tensor LayerNormComposite(Tensor x, float eps)
    {
        var inverseN = 1f / x.Ne0;
        var centered = Add(x, Scale(SumRows(x), -inverseN));
        var deviation = Sqrt(ScaleBias(Scale(SumRows(Sqr(centered)), inverseN), 1f, eps));   // {1, rows, ...}
        var inverse = Div(ScaleBias(deviation, 0f, 1f), deviation);                          // 1 / deviation, same shapes
        return Mul(centered, inverse);
    }

    /// <summary>
    /// The maximum (or mean) over ne[1] for every ne[0] element: {n0, n1, n2, n3} F32 → {n0, 1, n2, n3}, by
    /// ggml_pool_2d with a 1 × n1 window, whose backward routes the gradient to the maximum (or spreads it evenly).
    /// Pooling over ne[1] needs no permutation (a permuted view's gradient cannot be accumulated into by ggml).
    /// </summary>
    public Tensor PoolColumns(Tensor a, bool max)
    {
        const string op = "pool_columns";
        RequireF32(a, op);
        RequireContiguous(a, op);
        Require(a.Ne1 <= int.MaxValue, op, () => $"{S(a)} is too long along ne[1]");
        EnsureRoom(1);
        return new Tensor(GgmlAutogradApi.ggml_pool_2d(Pointer, a.Ptr, max ? 0 : 1, 1, (int)a.Ne1, 1, (int)a.Ne1, 0f, 0f));
    }

    /// <summary>
    /// Mean over rows of -Σ labels·log softmax(logits) (ggml_cross_entropy_loss, numerically stable, with a backward
    /// for the logits): logits and labels {classes, rows} F32, each label row a distribution (one-hot for token
    /// targets) → {1}. Masking is done by choosing the rows first (GetRows): an all-zero label row would still count.
    /// </summary>
    public Tensor CrossEntropyLoss(Tensor logits, Tensor labels)
    {
        const string op = "cross_entropy_loss";
        RequireF32(logits, op);
        RequireF32(labels, op);
        RequireContiguous(logits, op);
        RequireContiguous(labels, op);
        Require(logits.Shape.SequenceEqual(labels.Shape), op, () => $"logits {S(logits)} and labels {S(labels)} differ in shape");
        EnsureRoom(1);
        return new Tensor(GgmlAutogradApi.ggml_cross_entropy_loss(Pointer, logits.Ptr, labels.Ptr));
    }

    /// <summary>
    /// One AdamW step on a parameter in place (ggml_opt_step_adamw, what ggml-opt runs): m, v updated, then
    /// w ← w·(1 - α·wd) - α·m̂/(√v̂ + ε). <paramref name="adamwParams"/> is F32 {7}: α, β1, β2, ε, wd, 1/(1-β1ᵗ), 1/(1-β2ᵗ).
    /// </summary>
    public Tensor OptStepAdamW(Tensor parameter, Tensor gradient, Tensor m, Tensor v, Tensor adamwParams)
    {
        const string op = "opt_step_adamw";
        Require(parameter.IsParameter, op, () => $"{S(parameter)} is not marked as a trainable parameter");
        foreach (var t in new[] { parameter, gradient, m, v })
        {
            RequireF32(t, op);
            RequireContiguous(t, op);
            Require(t.Shape.SequenceEqual(parameter.Shape), op, () => $"{S(t)} differs in shape from {S(parameter)}");
        }
        Require(adamwParams.Type == GgmlType.F32 && adamwParams.ElementCount == 7, op, () => $"{S(adamwParams)} must be 7 F32 values");
        EnsureRoom(1);
        return new Tensor(GgmlAutogradApi.ggml_opt_step_adamw(Pointer, parameter.Ptr, gradient.Ptr, m.Ptr, v.Ptr, adamwParams.Ptr));
    }
}
