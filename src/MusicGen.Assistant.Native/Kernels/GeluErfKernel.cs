using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// The exact (erf) GELU, 0.5·x·(1 + erf(x/√2)), vectorized. ggml's GELU_ERF calls libm's erff per element (~15–35 ns
/// each): in a transformer decode step that is a few milliseconds per step. Evaluated in ggml's order and float
/// roundings, with an erf within 2 float ulps of the exact value (|z| &lt; 1: z·P(z²); 1 ≤ |z| &lt; 4:
/// 1 - exp(G(z) - z²) with G ≈ ln erfc(z) + z²; beyond, ±1 as in float), so outputs match ggml's to a few ulps of
/// the terms (where 1 + erf cancels, x &lt; -2, both round 1 + erf to the same absolute grid of ~6e-8).
/// Coefficients: Chebyshev fits (mpmath.chebyfit, 40 digits) of erf(√t)/√t on t ∈ [0, 1] (degree 6, error 1.2e-9)
/// and of ln erfc(z) + z² on z = 2.5 + 1.5u, u ∈ [-1, 1] (degree 9, error 8e-9), rounded to float.
/// </summary>
public static unsafe class GeluErfKernel
{
    private const float InvSqrt2 = 0.70710678118654752f;

    // erf(a) = a + a·PA(a²) for a < 1 (PA = the fit minus 1, so the leading a is added exactly)
    private const float A6 = 7.875874871e-05f, A5 = -8.016864303e-04f, A4 = 5.189087242e-03f, A3 = -2.685421146e-02f,
        A2 = 1.128359437e-01f, A1 = -3.761262596e-01f, A0 = 1.128379107f - 1f;

    // G(u), u = (a - 2.5) / 1.5, for 1 ≤ a ≤ 4
    private const float B9 = -2.915037612e-06f, B8 = 4.140557940e-05f, B7 = -2.208476362e-04f, B6 = 8.814931498e-04f,
        B5 = -3.195386613e-03f, B4 = 1.096117217e-02f, B3 = -3.664613143e-02f, B2 = 1.262392998e-01f,
        B1 = -5.290211439e-01f, B0 = -1.556815267f;

    private const float UScale = 1f / 1.5f, UShift = -2.5f / 1.5f, Largest = 4f;

    /// <summary>y = GELU(x) element by element (y may be x).</summary>
    public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Apply<Function>(x, y);

    private readonly struct Function : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> x) => Gelu(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float x) => Gelu(x);
    }

    /// <summary>erf of one value, evaluated exactly as the vector lanes are.</summary>
    public static float Erf(float z)
    {
        var a = MathF.Abs(z);
        float r;
        if (a < 1f)
        {
            var t = a * a;
            var p = MathF.FusedMultiplyAdd(A6, t, A5);
            p = MathF.FusedMultiplyAdd(p, t, A4);
            p = MathF.FusedMultiplyAdd(p, t, A3);
            p = MathF.FusedMultiplyAdd(p, t, A2);
            p = MathF.FusedMultiplyAdd(p, t, A1);
            p = MathF.FusedMultiplyAdd(p, t, A0);
            r = MathF.FusedMultiplyAdd(a, p, a);
        }
        else
        {
            var b = MathF.Min(a, Largest);
            var u = MathF.FusedMultiplyAdd(b, UScale, UShift);
            var g = MathF.FusedMultiplyAdd(B9, u, B8);
            g = MathF.FusedMultiplyAdd(g, u, B7);
            g = MathF.FusedMultiplyAdd(g, u, B6);
            g = MathF.FusedMultiplyAdd(g, u, B5);
            g = MathF.FusedMultiplyAdd(g, u, B4);
            g = MathF.FusedMultiplyAdd(g, u, B3);
            g = MathF.FusedMultiplyAdd(g, u, B2);
            g = MathF.FusedMultiplyAdd(g, u, B1);
            g = MathF.FusedMultiplyAdd(g, u, B0);
            var hi = b * b;
            var lo = MathF.FusedMultiplyAdd(b, b, -hi);                      // b² = hi + lo exactly
            r = 1f - NegativeExp.Exp(g - lo - hi);
        }
        return MathF.CopySign(r, z);
    }

    private static float Gelu(float x) => 0.5f * x * (1f + Erf(x * InvSqrt2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gelu(Vector256<float> x)
    {
        var z = x * Vector256.Create(InvSqrt2);
        var sign = z & Vector256.Create(-0f);
        var a = Vector256.Abs(z);

        var t = a * a;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(A6), t, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(A4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(A2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(A1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(A0));
        var near = Vector256.FusedMultiplyAdd(a, p, a);

        var b = Vector256.Min(a, Vector256.Create(Largest));
        var u = Vector256.FusedMultiplyAdd(b, Vector256.Create(UScale), Vector256.Create(UShift));
        var g = Vector256.FusedMultiplyAdd(Vector256.Create(B9), u, Vector256.Create(B8));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B7));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B6));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B5));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B4));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B3));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B2));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B1));
        g = Vector256.FusedMultiplyAdd(g, u, Vector256.Create(B0));
        var hi = b * b;
        var lo = Vector256.FusedMultiplyAdd(b, b, -hi);
        var far = Vector256<float>.One - NegativeExp.Exp(g - lo - hi);

        var erf = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256<float>.One), near, far) | sign;
        return Vector256.Create(0.5f) * x * (Vector256<float>.One + erf);
    }

    /// <summary>dst = GELU(src[0]), both contiguous F32 of the same shape; each thread takes its band of whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Run(GgmlTensorStruct* dst, int ith, int nth, nint userdata) => Elementwise.RunBand<Function>(dst, ith, nth);
}
