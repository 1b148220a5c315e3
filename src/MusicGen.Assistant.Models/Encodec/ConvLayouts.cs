namespace MusicGen.Assistant.Models.Encodec;

/// <summary>How a convolution's kernel is stored on the backend, which decides how the graph computes it.</summary>
public enum ConvLayout
{
    /// <summary>{k·in, out} with k fastest (the GGUF layout): im2col / col2im on time-first signals, then products.
    /// The reference form the others are tested against.</summary>
    Im2Col,

    /// <summary>
    /// Taps stacked into the output rows, {group·in, taps·out}: one product over the channels-first signal gives
    /// every tap's contribution, and shifted views of it are summed (<see cref="TapPlan"/>). Plain ggml ops, no
    /// transposes: the form for backends without our CPU kernels (a GPU).
    /// </summary>
    TapStacked,

    /// <summary>
    /// F32 blocks of 16 outputs, {16, taps·in, ceil(out/16)}, for our CPU kernel that computes a conv straight from
    /// the padded channels-first frames: each input value is broadcast against vectors of outputs, the bias and a
    /// residual add are fused in. Transposed convs become one such conv over windows of `taps` input frames with
    /// stride·out outputs (whole output frames). The fastest form on the CPU.
    /// </summary>
    Direct,
}

/// <summary>Which form each convolution takes under a preferred layout, and the kernel rearrangements for the direct form.</summary>
public static class ConvLayouts
{
    /// <summary>Outputs per weight block of the direct kernel.</summary>
    public const int DirectBlock = 16;

    /// <summary>
    /// The form of one conv: mono input (a tiny inner dimension) stays im2col outside the direct form, 1x1 convs are
    /// plain products when tap-stacked (their GGUF form already), and the direct kernel's dot-product path for fewer
    /// than 8 outputs keeps a weight row on the stack, so a wider one falls back to the tap-stacked form.
    /// </summary>
    public static ConvLayout For(ConvSpec c, ConvLayout preferred)
    {
        if (preferred == ConvLayout.Direct && (c.OutChannels >= 8 || (long)c.Kernel * c.InChannels <= Native.GgmlContext.MaxDirectDotRow))
            return ConvLayout.Direct;
        if (preferred == ConvLayout.Im2Col || !TapPlan.Suits(c)) return ConvLayout.Im2Col;
        return ConvLayout.TapStacked;
    }

    public static ConvLayout For(ConvTransposeSpec t, ConvLayout preferred) => preferred;

    public static long[] DirectShape(ConvSpec c) => DirectShape((long)c.Kernel * c.InChannels, c.OutChannels);

    public static long[] DirectShape(ConvTransposeSpec t) =>
        DirectShape((long)TapPlan.TransposeTaps(t) * t.InChannels, (long)t.Stride * t.OutChannels);

    private static long[] DirectShape(long inner, long outputs) => [DirectBlock, inner, (outputs + DirectBlock - 1) / DirectBlock];

    /// <summary>
    /// Kernel values in GGUF order (o, i, k fastest) to the direct kernel's blocks {16, k·in, ceil(out/16)}: element
    /// (lane, q·in + i, block) = W[16·block + lane, i, q], zero past the last output.
    /// </summary>
    public static float[] Direct(ReadOnlySpan<float> kernel, ConvSpec c)
    {
        int k = c.Kernel, cin = c.InChannels, cout = c.OutChannels;
        var inner = (long)k * cin;
        var result = new float[inner * DirectShape(c)[2] * DirectBlock];
        for (var o = 0; o < cout; o++)
            for (var i = 0; i < cin; i++)
                for (var q = 0; q < k; q++)
                    result[(o / DirectBlock * inner + (long)q * cin + i) * DirectBlock + o % DirectBlock] = kernel[(int)(((long)o * cin + i) * k + q)];
        return result;
    }

    /// <summary>A plain {in, out} matrix (a Linear's weight, out rows of `in` values) in the direct kernel's blocks.</summary>
    public static float[] DirectMatrix(ReadOnlySpan<float> matrix, int inputs, int outputs) =>
        Direct(matrix, new ConvSpec("matrix", 0, inputs, outputs, Kernel: 1));

    public static long[] DirectMatrixShape(int inputs, int outputs) => DirectShape(inputs, outputs);

    /// <summary>
    /// Transposed-conv columns in GGUF order (row o·k + tap, `in` values each) to the direct kernel's blocks over
    /// outputs r = j·out + o (phase j of the stride) and inputs q·in + i (frame q of a window of `taps` input frames,
    /// oldest first): the weight is tap (taps-1-q)·stride + j, zero past the kernel. A window ending at input frame t
    /// thus yields output samples t·stride + j, j = 0..stride-1, before the trim.
    /// </summary>
    public static float[] Direct(ReadOnlySpan<float> columns, ConvTransposeSpec t)
    {
        int k = t.Kernel, cin = t.InChannels, cout = t.OutChannels, s = t.Stride, taps = TapPlan.TransposeTaps(t);
        var inner = (long)taps * cin;
        var result = new float[inner * DirectShape(t)[2] * DirectBlock];
        for (var j = 0; j < s; j++)
            for (var o = 0; o < cout; o++)
            {
                var r = (long)j * cout + o;
                var blockBase = r / DirectBlock * inner * DirectBlock + r % DirectBlock;
                for (var q = 0; q < taps; q++)
                {
                    var tap = (taps - 1 - q) * s + j;
                    if (tap >= k) continue;
                    var source = columns.Slice((int)(((long)o * k + tap) * cin), cin);
                    for (var i = 0; i < cin; i++) result[blockBase + ((long)q * cin + i) * DirectBlock] = source[i];
                }
            }
        return result;
    }
}
