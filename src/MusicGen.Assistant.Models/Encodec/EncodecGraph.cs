using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>Initial and final (h, c) of each LSTM layer, for carrying the recurrence across chunks.</summary>
public sealed record LstmState(Tensor[] Hidden, Tensor[] Cell);

/// <summary>
/// Builds EnCodec graphs (transformers' EncodecModel: SEANet encoder/decoder, EncodecLSTM, residual VQ) for one
/// chunk. Pure graph construction: the runner allocates, fills inputs and computes. Shapes in ggml order.
/// </summary>
public sealed class EncodecGraph(GgmlContext ctx, EncodecWeights weights)
{
    private readonly EncodecConfig _c = weights.Config;

    /// <summary>
    /// EncodecConv1d: pad (reflect or zeros; causal or centred, plus the extra right padding that completes the last
    /// window), then im2col and one matrix product. A 1x1 conv is a plain product on the channels-first layout.
    /// </summary>
    public Signal Conv(ConvSpec spec, Signal x)
    {
        var w = weights.Conv(spec);
        var kernel2d = w.Kernel.Rank == 3 ? ctx.Reshape(w.Kernel, (long)spec.Kernel * spec.InChannels, spec.OutChannels) : w.Kernel;
        Tensor y;
        if (spec.Kernel == 1 && spec.Stride == 1)
        {
            y = ctx.MulMat(kernel2d, x.AsChannelsFirst(ctx));
        }
        else
        {
            var (left, right) = EncodecPadding.Conv(spec, x.Length, _c.UseCausalConv);
            var padded = Pad(x.AsTimeFirst(ctx), left, right);
            var shape = KernelShape(spec);
            var columns = ctx.Im2Col1d(shape, padded, spec.Stride, 0, spec.Dilation);          // {k*in, frames}
            y = ctx.MulMat(kernel2d, ctx.Reshape(columns, columns.Ne0, columns.Ne1));            // {out, frames}
        }
        return Signal.FromChannelsFirst(ctx.Add(y, w.Bias));
    }

    /// <summary>
    /// EncodecConvTranspose1d: one matrix product gives every kernel tap's contribution per input frame (columns),
    /// col2im overlap-adds them, then the trim removes kernel - stride samples (split as the config says).
    /// </summary>
    public Signal ConvTranspose(ConvTransposeSpec spec, Signal x)
    {
        var w = weights.ConvTranspose(spec);
        var columns = ctx.MulMat(w.Columns, x.AsChannelsFirst(ctx));                           // {k*out, frames}
        var (left, right) = EncodecPadding.ConvTransposeTrim(spec, _c.UseCausalConv, _c.TrimRightRatio);
        var crop = Math.Min(left, right);
        var full = ctx.Col2Im1d(columns, spec.Stride, spec.OutChannels, crop);               // {len, out}, time first
        var keep = full.Ne0 - (left - crop) - (right - crop);
        var trimmed = left == right ? full
            : ctx.Cont(ctx.View(full, [keep, full.Ne1], [full.Nb(1)], (left - crop) * full.Nb(0)));
        return Signal.FromTimeFirst(ctx.Add(trimmed, ctx.Reshape(w.Bias, 1, spec.OutChannels)));
    }

    /// <summary>EncodecResnetBlock: shortcut(x) + conv1x1(ELU(conv_k(ELU(x)))).</summary>
    public Signal ResidualBlock(ResidualBlockSpec spec, Signal x)
    {
        var h = Conv(spec.First, x.Map(ctx.Elu));
        h = Conv(spec.Second, h.Map(ctx.Elu));
        var skip = spec.Shortcut is null ? x.AsChannelsFirst(ctx) : Conv(spec.Shortcut, x).Data;
        return Signal.FromChannelsFirst(ctx.Add(h.Data, skip));
    }

    /// <summary>
    /// EncodecLSTM: stacked nn.LSTM (gates i, f, g, o) over the sequence plus the input as a skip connection. The
    /// input projection of every step is one matrix product; the recurrence is unrolled step by step. The state after
    /// <paramref name="stateStep"/> steps is returned so the next chunk can continue from it.
    /// </summary>
    public (Signal Output, LstmState StateAtStep) Lstm(LstmSpec spec, Signal x, LstmState initial, int stateStep)
    {
        var input = x.AsChannelsFirst(ctx);
        var width = spec.Width;
        var steps = input.Ne1;
        var layers = weights.Lstm(spec);
        var hAt = new Tensor[layers.Count];
        var cAt = new Tensor[layers.Count];
        var sequence = input;
        for (var l = 0; l < layers.Count; l++)
        {
            var lw = layers[l];
            var projected = ctx.Add(ctx.MulMat(lw.InputWeights, sequence), lw.Bias);         // {4w, steps}
            var output = ctx.NewTensor(GgmlType.F32, width, steps);
            Tensor h = initial.Hidden[l], c = initial.Cell[l];
            if (stateStep == 0) { hAt[l] = h; cAt[l] = c; }
            for (var t = 0; t < steps; t++)
            {
                var gates = ctx.Add(ctx.MulMat(lw.HiddenWeights, h), ctx.View(projected, [4L * width], [], t * projected.Nb(1)));
                var inputForget = ctx.Sigmoid(ctx.View(gates, [2L * width], [], 0));
                var i = ctx.View(inputForget, [width], [], 0);
                var f = ctx.View(inputForget, [width], [], width * 4L);
                var g = ctx.Tanh(ctx.View(gates, [width], [], 2L * width * 4));
                var o = ctx.Sigmoid(ctx.View(gates, [width], [], 3L * width * 4));
                c = ctx.Add(ctx.Mul(f, c), ctx.Mul(i, g));
                h = ctx.Mul(o, ctx.Tanh(c));
                output = ctx.SetInPlace(output, h, t * width * 4L);
                if (t + 1 == stateStep) { hAt[l] = h; cAt[l] = c; }
            }
            sequence = output;
        }
        return (Signal.FromChannelsFirst(ctx.Add(sequence, input)), new LstmState(hAt, cAt));
    }

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

    /// <summary>Runs a stack's layers in order, with the LSTM's state handled by the caller-supplied hook.</summary>
    public Signal Run(IEnumerable<EncodecLayer> layers, Signal x, Func<LstmSpec, Signal, Signal> lstm)
    {
        foreach (var layer in layers)
        {
            x = layer switch
            {
                ConvSpec c => Conv(c, x),
                ConvTransposeSpec t => ConvTranspose(t, x),
                ResidualBlockSpec r => ResidualBlock(r, x),
                LstmSpec l => lstm(l, x),
                EluSpec => x.Map(ctx.Elu),
                _ => throw new InvalidOperationException($"unknown EnCodec layer {layer}"),
            };
        }
        return x;
    }

    // Reflect padding as transformers does it: when the input is no longer than the padding, zero-extend first.
    private Tensor Pad(Tensor timeFirst, int left, int right)
    {
        if (left == 0 && right == 0) return timeFirst;
        if (_c.PadMode == "constant") return ctx.PadZeros(timeFirst, left, right);
        var length = timeFirst.Ne0;
        var maxPad = Math.Max(left, right);
        if (length > maxPad) return ctx.PadReflect(timeFirst, left, right);
        var extra = (int)(maxPad - length + 1);
        var reflected = ctx.PadReflect(ctx.PadZeros(timeFirst, 0, extra), left, right);
        return ctx.Cont(ctx.View(reflected, [reflected.Ne0 - extra, reflected.Ne1], [reflected.Nb(1)], 0));
    }

    // im2col reads only the kernel's shape {k, in}; a small placeholder avoids reshaping quantized kernels.
    private Tensor KernelShape(ConvSpec spec) => ctx.NewTensor(GgmlType.F16, spec.Kernel, spec.InChannels);
}
