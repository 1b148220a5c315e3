using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// gelu_fast / gelu_new, 0.5·x·(1 + tanh(z)) = x·sigmoid(2z) with z = √(2/π)·(x + 0.044715·x³), vectorized in one
/// pass. ggml's CPU gelu reads an fp16 table (about 1e-3 relative error), and the same formula composed from ggml's
/// float ops takes six passes over the activations; here the sigmoid is 1/(1 + e) or e/(1 + e) with
/// e = exp(-|2z|) (<see cref="NegativeExp"/>, a few ulps), the same float arithmetic as the composed ops to a few ulps.
/// </summary>
public static unsafe class GeluTanhKernel
{
    private const float Cubic = 0.044715f;
    private static readonly float TwoRoot2OverPi = 2 * MathF.Sqrt(2 / MathF.PI);

    /// <summary>y = gelu_fast(x) element by element (y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Apply<Function>(x, y);

    private readonly struct Function : IElementwise
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> x) => Gelu(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float x) => Gelu(x);
    }

    /// <summary>One value, evaluated as the vector lanes are.</summary>
    public static float Gelu(float x)
    {
        var u = TwoRoot2OverPi * (x + Cubic * (x * x * x));
        var e = NegativeExp.Exp(-MathF.Abs(u));
        var sigmoid = u >= 0 ? 1f / (1f + e) : e / (1f + e);
        return x * sigmoid;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gelu(Vector256<float> x)
    {
        var u = Vector256.Create(TwoRoot2OverPi) * (x + Vector256.Create(Cubic) * (x * x * x));
        var e = NegativeExp.Exp(-Vector256.Abs(u));
        var onePlus = Vector256<float>.One + e;
        var sigmoid = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(u, Vector256<float>.Zero), Vector256<float>.One, e) / onePlus;
        return x * sigmoid;
    }

    /// <summary>dst = gelu_fast(src[0]), both contiguous F32 of the same shape; each thread takes its band of whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Run(GgmlTensorStruct* dst, int ith, int nth, nint userdata) => Elementwise.RunBand<Function>(dst, ith, nth);
}
