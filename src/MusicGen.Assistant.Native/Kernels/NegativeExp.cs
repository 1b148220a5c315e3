using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// exp and expm1 for x &lt;= 0, vectorized, accurate to a few float ulps: with n = round(x·log2 e) and
/// r = x - n·ln2 (|r| &lt;= ln2/2), expm1(r) is a degree-7 polynomial, exp(x) = 2^n·(expm1(r) + 1) and
/// expm1(x) = 2^n·expm1(r) + (2^n - 1), which keeps full relative precision near 0. The activations (ELU, sigmoid,
/// tanh) only ever need non-positive arguments: they fold the sign in themselves. Inputs above 0 are treated as 0,
/// below -87 as -87 (where 2^n would underflow; the results are then 0 and -1 in float anyway).
/// </summary>
public static class NegativeExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;          // ln2 split so n·Ln2Hi is exact for |n| < 2^10
    private const float Ln2Lo = -2.12194440e-4f;
    private const float Lowest = -87.0f;

    /// <summary>expm1(min(x, 0)) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        var (em1, scale) = Reduce(x);
        return Vector256.FusedMultiplyAdd(scale, em1, scale - Vector256<float>.One);
    }

    /// <summary>exp(min(x, 0)) per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var (em1, scale) = Reduce(x);
        return Vector256.FusedMultiplyAdd(scale, em1, scale);
    }

    // expm1(r) and 2^n for the clamped argument
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Em1, Vector256<float> Scale) Reduce(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(Lowest)), Vector256<float>.Zero);
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.Create(1f / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        var em1 = Vector256.FusedMultiplyAdd(p * r, r, r);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return (em1, scale);
    }

    /// <summary>The same evaluation for one value (vector tails), so every element rounds the same way.</summary>
    public static float Expm1(float x)
    {
        var (em1, scale) = Reduce(x);
        return MathF.FusedMultiplyAdd(scale, em1, scale - 1f);
    }

    /// <summary>exp(min(x, 0)) for one value, evaluated as the vector lanes are.</summary>
    public static float Exp(float x)
    {
        var (em1, scale) = Reduce(x);
        return MathF.FusedMultiplyAdd(scale, em1, scale);
    }

    private static (float Em1, float Scale) Reduce(float x)
    {
        x = Math.Min(Math.Max(x, Lowest), 0f);
        var n = MathF.Round(x * Log2E);
        var r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        var p = 1f / 5040;
        p = MathF.FusedMultiplyAdd(p, r, 1f / 720);
        p = MathF.FusedMultiplyAdd(p, r, 1f / 120);
        p = MathF.FusedMultiplyAdd(p, r, 1f / 24);
        p = MathF.FusedMultiplyAdd(p, r, 1f / 6);
        p = MathF.FusedMultiplyAdd(p, r, 0.5f);
        return (MathF.FusedMultiplyAdd(p * r, r, r), BitConverter.Int32BitsToSingle(((int)n + 127) << 23));
    }
}
