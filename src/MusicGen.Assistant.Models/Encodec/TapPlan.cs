namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// A convolution as shifted products on channels-first frames (<see cref="ConvLayout.TapStacked"/>). The padded input
/// {in, T} is read as {group·in, T/group} (a strided conv groups <c>stride</c> frames; stride 1 keeps group 1); output
/// frame t is the sum over taps m of W_m · grouped[t + m·shift]. Taps beyond the kernel (when k is not a multiple of
/// the stride) are zero rows.
/// </summary>
public readonly record struct TapPlan(int Group, int Taps, int Shift)
{
    public static TapPlan For(ConvSpec c) => c.Stride > 1
        ? new TapPlan(c.Stride, (c.Kernel + c.Stride - 1) / c.Stride, 1)
        : new TapPlan(1, c.Kernel, c.Dilation);

    /// <summary>Whether the tap-stacked form suits this conv: a tiny inner dimension (mono audio in) gains nothing.</summary>
    public static bool Suits(ConvSpec c) => (long)c.InChannels * (c.Stride > 1 ? c.Stride : 1) >= 8 && (c.Stride == 1 || c.Dilation == 1);

    /// <summary>Stacked shape {group·in, taps·out} of a conv kernel.</summary>
    public static long[] StackedShape(ConvSpec c)
    {
        var p = For(c);
        return [(long)p.Group * c.InChannels, (long)p.Taps * c.OutChannels];
    }

    /// <summary>Taps of a transposed conv's kernel rounded up to whole strides.</summary>
    public static int TransposeTaps(ConvTransposeSpec t) => (t.Kernel + t.Stride - 1) / t.Stride;

    /// <summary>Stacked shape {in, taps·stride·out} of a transposed conv (rows k·out + o, zero rows past the kernel).</summary>
    public static long[] StackedShape(ConvTransposeSpec t) => [t.InChannels, (long)TransposeTaps(t) * t.Stride * t.OutChannels];

    /// <summary>
    /// Kernel values in GGUF order (o slowest, then i, k fastest) to the stacked order: row m·out + o holds, for each
    /// local tap kl and input channel i (i fastest), W[o, i, m·group + kl].
    /// </summary>
    public static float[] StackConv(ReadOnlySpan<float> kernel, ConvSpec c)
    {
        var p = For(c);
        int k = c.Kernel, cin = c.InChannels, cout = c.OutChannels, g = p.Group;
        var rowLength = (long)g * cin;
        var result = new float[rowLength * p.Taps * cout];
        for (var m = 0; m < p.Taps; m++)
            for (var o = 0; o < cout; o++)
            {
                var row = ((long)m * cout + o) * rowLength;
                for (var kl = 0; kl < g; kl++)
                {
                    var tap = m * g + kl;
                    if (tap >= k) continue;
                    for (var i = 0; i < cin; i++)
                        result[row + (long)kl * cin + i] = kernel[(int)(((long)o * cin + i) * k + tap)];
                }
            }
        return result;
    }

    /// <summary>
    /// Transposed-conv columns in GGUF order (row o·k + tap, each of `in` values) to the stacked order: row tap·out + o,
    /// with zero rows for taps past the kernel.
    /// </summary>
    public static float[] StackConvTranspose(ReadOnlySpan<float> columns, ConvTransposeSpec t)
    {
        int k = t.Kernel, cin = t.InChannels, cout = t.OutChannels;
        var taps = TransposeTaps(t) * t.Stride;
        var result = new float[(long)taps * cout * cin];
        for (var tap = 0; tap < k; tap++)
            for (var o = 0; o < cout; o++)
                columns.Slice((int)(((long)o * k + tap) * cin), cin).CopyTo(result.AsSpan((int)(((long)tap * cout + o) * cin), cin));
        return result;
    }
}
