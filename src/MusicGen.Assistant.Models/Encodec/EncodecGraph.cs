using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>Initial and final (h, c) of each LSTM layer, for carrying the recurrence across chunks.</summary>
public sealed record LstmState(Tensor[] Hidden, Tensor[] Cell);

/// <summary>
/// Builds EnCodec graphs (transformers' EncodecModel: SEANet encoder/decoder, EncodecLSTM, residual VQ) for one
/// chunk. Pure graph construction: the runner allocates, fills inputs and computes. Shapes in ggml order.
/// With tap-stacked or direct weights (<see cref="ConvLayout"/>) the signal stays channels-first {channels, time}
/// from end to end: no ggml im2col, col2im or transposes. <paramref name="cpuKernels"/> adds our C# kernels (direct
/// convolutions, ELU fused with padding, tap sums, the one-node LSTM step); they run on the CPU backend only, and
/// direct weights need them.
/// </summary>
public sealed partial class EncodecGraph(GgmlContext ctx, EncodecWeights weights, bool cpuKernels = false)
{
    private readonly EncodecConfig _c = weights.Config;

    /// <summary>Whether this graph uses the C# CPU kernels.</summary>
    public bool CpuKernels => cpuKernels;

    /// <summary>EncodecConv1d: pad (reflect or zeros; causal or centred, plus the extra right padding that completes
    /// the last window), then the convolution.</summary>
    public Signal Conv(ConvSpec spec, Signal x) => Conv(spec, x, eluFirst: false);

    /// <summary>ELU (when <paramref name="eluFirst"/>, fused with the padding where possible) then EncodecConv1d.</summary>
    public Signal Conv(ConvSpec spec, Signal x, bool eluFirst)
    {
        var w = weights.Conv(spec);
        return w.Layout switch
        {
            ConvLayout.TapStacked => ConvTaps(w, x, eluFirst),
            ConvLayout.Direct => ConvDirect(w, x, eluFirst, null),
            _ => ConvIm2Col(w, eluFirst ? x.Map(Elu) : x),
        };
    }

    /// <summary>EncodecConvTranspose1d: the transposed conv, then the trim of kernel - stride samples (split as the
    /// config says).</summary>
    public Signal ConvTranspose(ConvTransposeSpec spec, Signal x) => ConvTranspose(spec, x, eluFirst: false);

    /// <summary>ELU (when <paramref name="eluFirst"/>, fused with the padding where possible) then EncodecConvTranspose1d.</summary>
    public Signal ConvTranspose(ConvTransposeSpec spec, Signal x, bool eluFirst)
    {
        var w = weights.ConvTranspose(spec);
        return w.Layout switch
        {
            ConvLayout.TapStacked => ConvTransposeTaps(w, x, eluFirst),
            ConvLayout.Direct => ConvTransposeDirect(w, x, eluFirst),
            _ => ConvTransposeCol2Im(w, eluFirst ? x.Map(Elu) : x),
        };
    }

    /// <summary>EncodecResnetBlock: shortcut(x) + conv1x1(ELU(conv_k(ELU(x)))).</summary>
    public Signal ResidualBlock(ResidualBlockSpec spec, Signal x)
    {
        var h = Conv(spec.First, x, eluFirst: true);
        var skip = spec.Shortcut is null ? x.AsChannelsFirst(ctx) : Conv(spec.Shortcut, x).AsChannelsFirst(ctx);
        var second = weights.Conv(spec.Second);
        if (second.Layout == ConvLayout.Direct && skip.IsContiguous)
            return ConvDirect(second, h, elu: true, skip);                                  // the residual add in the same pass
        h = Conv(spec.Second, h, eluFirst: true);
        return Signal.FromChannelsFirst(ctx.Add(h.AsChannelsFirst(ctx), skip));
    }

    /// <summary>Elementwise ELU (alpha 1): our vectorized kernel on the CPU, ggml's op elsewhere.</summary>
    public Tensor Elu(Tensor t) => cpuKernels && t.Type == GgmlType.F32 && t.IsContiguous && t.Ne2 == 1 && t.Ne3 == 1
        ? ctx.PadFrames(t, FramePadding.None, elu: true)
        : ctx.Elu(t);

    /// <summary>Residual vector quantizer, encode: per stage the nearest codeword of the residual, which is then subtracted.</summary>
    public Tensor[] Quantize(Tensor embeddings, int stages)
    {
        var residual = embeddings;                                                            // {dim, frames}
        var codes = new Tensor[stages];
        for (var q = 0; q < stages; q++)
        {
            var book = weights.Codebooks[q];                                                  // {dim, size}
            // argmin |r - e|^2 = argmax (2 r·e - |e|^2): |r|^2 is the same for every codeword
            var norms = ctx.Reshape(ctx.SumRows(ctx.Sqr(book)), book.Ne1);
            var scores = ctx.Sub(ctx.Scale(ctx.MulMat(book, residual), 2f), norms);          // {size, frames}
            codes[q] = ctx.Argmax(scores);                                                    // {frames} I32
            residual = ctx.Sub(residual, ctx.GetRows(book, codes[q]));
        }
        return codes;
    }

    /// <summary>Residual vector quantizer, decode: the sum of each stage's codeword.</summary>
    public Tensor Dequantize(IReadOnlyList<Tensor> codes)
    {
        Tensor? sum = null;
        for (var q = 0; q < codes.Count; q++)
        {
            var vectors = ctx.GetRows(weights.Codebooks[q], codes[q]);                        // {dim, frames}
            sum = sum is null ? vectors : ctx.Add(sum.Value, vectors);
        }
        return sum ?? throw new ArgumentException("no codebooks to decode");
    }

    /// <summary>
    /// Runs a stack's layers in order, with the LSTM's state handled by the caller-supplied hook. An ELU directly
    /// before a convolution is handed to it, so the two can share one pass over the data.
    /// </summary>
    public Signal Run(IEnumerable<EncodecLayer> layers, Signal x, Func<LstmSpec, Signal, Signal> lstm)
    {
        var list = layers as IReadOnlyList<EncodecLayer> ?? layers.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var elu = list[i] is EluSpec && i + 1 < list.Count && list[i + 1] is ConvSpec or ConvTransposeSpec;
            if (elu) i++;
            x = list[i] switch
            {
                ConvSpec c => Conv(c, x, elu),
                ConvTransposeSpec t => ConvTranspose(t, x, elu),
                ResidualBlockSpec r => ResidualBlock(r, x),
                LstmSpec l => lstm(l, x),
                EluSpec => x.Map(Elu),
                var layer => throw new InvalidOperationException($"unknown EnCodec layer {layer}"),
            };
        }
        return x;
    }
}
