using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

// The three ways of computing convolutions: our direct kernel on channels-first frames (CPU), tap-stacked products on
// channels-first frames (plain ggml ops, any backend) and the im2col / col2im form on time-first signals (the GGUF
// layout; kept as the reference the other two are tested against).
public sealed partial class EncodecGraph
{
    /// <summary>
    /// Conv as shifted products (see <see cref="TapPlan"/>): pad the frames (ELU on the way), group them by the
    /// stride, one product z = W_stacked · frames {taps·out, groups}, then out[t] = Σ_m z[m-th block, t + m·shift].
    /// </summary>
    private Signal ConvTaps(ConvWeights w, Signal x, bool elu)
    {
        var spec = w.Spec;
        var plan = TapPlan.For(spec);
        var input = x.Relabel(ctx, channelsFirst: true).Data;                                                  // {in, T}
        var (left, right) = EncodecPadding.Conv(spec, input.Ne1, _c.UseCausalConv);
        var padded = input.Ne1 + left + right;
        var frames = EncodecPadding.ConvOutputLength(spec, padded);
        // grouped frames the taps read; frames past the padding only ever meet zero taps
        var groups = plan.Group == 1 ? padded : frames + plan.Taps - 1;
        var tail = (int)(groups * plan.Group - padded);
        var framesIn = PadFrames(input, new FramePadding(left, right, _c.PadMode == "reflect", tail), elu);
        var grouped = plan.Group == 1 ? framesIn : ctx.Reshape(framesIn, plan.Group * input.Ne0, groups);
        var z = ctx.MulMat(w.Kernel, grouped);                                               // {taps·out, groups}
        if (cpuKernels) return Signal.FromChannelsFirst(ctx.TapSum(z, w.Bias, plan.Taps, plan.Shift, frames));
        var outBytes = spec.OutChannels * sizeof(float);
        Tensor? sum = null;
        for (var m = 0; m < plan.Taps; m++)
        {
            var tap = plan.Taps == 1 && frames == groups
                ? z
                : ctx.View(z, [spec.OutChannels, frames], [z.Nb(1)], m * outBytes + (long)m * plan.Shift * z.Nb(1));
            sum = sum is null ? tap : ctx.Add(sum.Value, tap);
        }
        return Signal.FromChannelsFirst(ctx.Add(sum!.Value, w.Bias));                         // {out, frames}
    }

    /// <summary>
    /// Transposed conv as shifted products: z = W_stacked · frames gives, per input frame, every tap's contribution
    /// {taps·stride·out}; output frame t·stride + j sums tap m·stride + j of input frame t - m. Zero frames around the
    /// input make the sums at both ends uniform; the trim is a view.
    /// </summary>
    private Signal ConvTransposeTaps(ConvTransposeWeights w, Signal x, bool elu)
    {
        var spec = w.Spec;
        int s = spec.Stride, taps = TapPlan.TransposeTaps(spec), cout = spec.OutChannels;
        var input = x.Relabel(ctx, channelsFirst: true).Data;                                                  // {in, T}
        var length = input.Ne1;
        var framesIn = PadFrames(input, new FramePadding(taps - 1, taps - 1, false), elu);
        var z = ctx.MulMat(w.Columns, framesIn);                                             // {taps·s·out, T + 2(taps-1)}
        var frames = length + taps - 1;
        Tensor full;
        if (taps == 1) full = ctx.Reshape(z, cout, s * length);
        else
        {
            Tensor? sum = null;
            for (var m = 0; m < taps; m++)
            {
                var tap = ctx.View(z, [cout, s, frames], [(long)cout * sizeof(float), z.Nb(1)],
                    (long)m * s * cout * sizeof(float) + (taps - 1 - m) * z.Nb(1));
                sum = sum is null ? tap : ctx.Add(sum.Value, tap);
            }
            full = ctx.Reshape(sum!.Value, cout, s * frames);                                // {out, s·frames}
        }
        var (left, right) = EncodecPadding.ConvTransposeTrim(spec, _c.UseCausalConv, _c.TrimRightRatio);
        var keep = (length - 1) * s + spec.Kernel - left - right;
        var trimmed = ctx.View(full, [cout, keep], [full.Nb(1)], left * full.Nb(1));
        return Signal.FromChannelsFirst(ctx.Add(trimmed, w.Bias));
    }

    /// <summary>
    /// A conv by our direct kernel, straight from the padded (ELU'd) frames; <paramref name="skip"/> {out, frames} is
    /// added in the same pass when given.
    /// </summary>
    private Signal ConvDirect(ConvWeights w, Signal x, bool elu, Tensor? skip)
    {
        RequireKernels(w.Spec.Name);
        var spec = w.Spec;
        var input = x.Relabel(ctx, channelsFirst: true).Data;
        var (left, right) = EncodecPadding.Conv(spec, input.Ne1, _c.UseCausalConv);
        var frames = PadFrames(input, new FramePadding(left, right, _c.PadMode == "reflect"), elu);
        return Signal.FromChannelsFirst(ctx.ConvFrames(frames, w.Kernel, w.Bias, spec.Kernel, spec.Stride, spec.Dilation, skip));
    }

    /// <summary>
    /// Transposed conv by our direct kernel: the zero-padded (ELU'd) input frames, read `taps` at a time, give
    /// `stride` whole output frames each, bias included; the trim is a view.
    /// </summary>
    private Signal ConvTransposeDirect(ConvTransposeWeights w, Signal x, bool elu)
    {
        RequireKernels(w.Spec.Name);
        var spec = w.Spec;
        int s = spec.Stride, taps = TapPlan.TransposeTaps(spec), cout = spec.OutChannels;
        var input = x.Relabel(ctx, channelsFirst: true).Data;                                                  // {in, T}
        var length = input.Ne1;
        var frames = PadFrames(input, new FramePadding(taps - 1, taps - 1, false), elu);      // {in, T + 2(taps-1)}
        var product = ctx.ConvFrames(frames, w.Columns, w.Bias, taps, 1, 1);                 // {s·out, T + taps - 1}
        var full = ctx.Reshape(product, cout, s * product.Ne1);
        var (left, right) = EncodecPadding.ConvTransposeTrim(spec, _c.UseCausalConv, _c.TrimRightRatio);
        var keep = (length - 1) * s + spec.Kernel - left - right;
        return Signal.FromChannelsFirst(ctx.View(full, [cout, keep], [full.Nb(1)], left * full.Nb(1)));
    }

    private void RequireKernels(string layer)
    {
        if (!cpuKernels)
            throw new InvalidOperationException($"{layer}: direct weights need the CPU kernels; load the weights as " +
                                                $"{nameof(ConvLayout.TapStacked)} to compute without them (e.g. on a GPU)");
    }

    /// <summary>Pads frames of a channels-first signal, with ELU first when asked: one fused pass with CPU kernels.</summary>
    private Tensor PadFrames(Tensor channelsFirst, FramePadding padding, bool elu)
    {
        if (cpuKernels) return padding.IsNone && !elu ? channelsFirst : ctx.PadFrames(channelsFirst, padding, elu);
        var x = elu ? ctx.Elu(channelsFirst) : channelsFirst;
        if (padding.IsNone) return x;
        var padded = ctx.PadZeros(x, 0, 0, padding.Left, padding.Right + padding.Tail);
        if (!padding.Reflect) return padded;
        var length = x.Ne1;
        var frameBytes = x.Nb(1);
        for (var j = 0L; j < padded.Ne1; j++)
        {
            if (j == padding.Left) j += length;                                               // the copied middle
            var source = padding.SourceFrame(j, length);
            if (source >= 0) padded = ctx.SetInPlace(padded, ctx.View(x, [x.Ne0], [], source * frameBytes), j * padded.Nb(1));
        }
        return padded;
    }

    /// <summary>Im2col conv: pad the time-first signal, im2col, one product; a 1x1 conv is a plain product.</summary>
    private Signal ConvIm2Col(ConvWeights w, Signal x)
    {
        var spec = w.Spec;
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

    /// <summary>Col2im transposed conv: one product gives every tap's contribution per input frame, col2im
    /// overlap-adds them (time first), then the trim.</summary>
    private Signal ConvTransposeCol2Im(ConvTransposeWeights w, Signal x)
    {
        var spec = w.Spec;
        var columns = ctx.MulMat(w.Columns, x.AsChannelsFirst(ctx));                           // {k*out, frames}
        var (left, right) = EncodecPadding.ConvTransposeTrim(spec, _c.UseCausalConv, _c.TrimRightRatio);
        var crop = Math.Min(left, right);
        var full = ctx.Col2Im1d(columns, spec.Stride, spec.OutChannels, crop);               // {len, out}, time first
        var keep = full.Ne0 - (left - crop) - (right - crop);
        var trimmed = left == right ? full
            : ctx.Cont(ctx.View(full, [keep, full.Ne1], [full.Nb(1)], (left - crop) * full.Nb(0)));
        return Signal.FromTimeFirst(ctx.Add(trimmed, ctx.Reshape(w.Bias, 1, spec.OutChannels)));
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
