namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// The exact padding and trimming of transformers' EncodecConv1d / EncodecConvTranspose1d (audiocraft's SConv1d),
/// as plain arithmetic so it can be tested on its own.
/// </summary>
public static class EncodecPadding
{
    /// <summary>Left and right padding of a conv over an input of <paramref name="length"/> samples.</summary>
    public static (int Left, int Right) Conv(ConvSpec c, long length, bool causal)
    {
        var k = c.EffectiveKernel;
        var total = k - c.Stride;
        // extra right padding so the last window is complete: ceil((L - k + total) / s + 1) - 1 frames
        var frames = (long)Math.Ceiling((length - k + total) / (double)c.Stride + 1) - 1;
        var ideal = frames * c.Stride + k - total;
        var extra = (int)(ideal - length);
        if (causal) return (total, extra);
        var right = total / 2;
        return (total - right, right + extra);
    }

    /// <summary>Samples trimmed from the left and right of a transposed conv's full output.</summary>
    public static (int Left, int Right) ConvTransposeTrim(ConvTransposeSpec t, bool causal, double trimRightRatio)
    {
        var total = t.Kernel - t.Stride;
        var right = causal ? (int)Math.Ceiling(total * trimRightRatio) : total / 2;
        return (total - right, right);
    }

    /// <summary>Output length of a conv (what ggml's im2col produces after the padding above).</summary>
    public static long ConvOutputLength(ConvSpec c, long paddedLength) => (paddedLength - c.EffectiveKernel) / c.Stride + 1;
}
