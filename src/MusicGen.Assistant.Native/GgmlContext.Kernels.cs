using MusicGen.Assistant.Native.Interop;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native;

// Ops backed by our own C# kernels (ggml custom ops). They run on the CPU backend only: a scheduler with a GPU would
// bounce their data through the CPU, so graph builders use them only when computing on the CPU.
public sealed unsafe partial class GgmlContext
{
    /// <summary>
    /// Pads the frames (columns) of a channels-first {C, T} F32 tensor and optionally applies ELU on the way, in one
    /// pass: {C, left + T + right + tail}. ELU(0) = 0, so zero frames stay zero either way.
    /// </summary>
    public Tensor PadFrames(Tensor x, FramePadding padding, bool elu)
    {
        RequireF32(x, "pad_frames");
        RequireContiguous(x, "pad_frames");
        Require(x.Ne2 == 1 && x.Ne3 == 1, "pad_frames", () => $"{S(x)} must be a {{channels, time}} matrix");
        padding.Validate(x.Ne1);
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[1];
        args[0] = x.Ptr;
        var t = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, x.Ne0, x.Ne1 + padding.Total, 1, 1, args, 1, &FrameKernels.PadActivate, -1, 0);
        SetKernelParams(t, padding.Left, padding.Right, padding.Reflect ? 1 : 0, padding.Tail, elu ? 1 : 0);
        return new Tensor(t).Named(elu ? "elu_pad_frames" : "pad_frames");
    }

    /// <summary>
    /// One LSTM step written in place into <paramref name="state"/> {w, 2·steps} (h_t in column t, c_t in column
    /// steps + t) from the recurrent product W_hh·h_{t-1} {4w}, the projected inputs {4w, steps} (W_ih·x + biases) and
    /// c_{t-1} {w}. Returns a view of the updated state that later steps must read through (it orders them).
    /// </summary>
    public Tensor LstmStepInPlace(Tensor state, Tensor recurrent, Tensor projected, Tensor cPrevious, int step)
    {
        foreach (var t in new[] { state, recurrent, projected, cPrevious }) RequireF32(t, "lstm_step");
        var w = state.Ne0;
        Require(state.IsContiguous && state.Ne1 % 2 == 0 && state.Ne2 == 1 && state.Ne3 == 1, "lstm_step",
            () => $"state {S(state)} must be a contiguous {{w, 2·steps}} matrix");
        var steps = state.Ne1 / 2;
        Require(step >= 0 && step < steps, "lstm_step", () => $"step {step} outside [0, {steps})");
        Require(recurrent.IsContiguous && recurrent.ElementCount == 4 * w, "lstm_step", () => $"recurrent {S(recurrent)} must hold 4·{w} contiguous values");
        Require(projected.Ne0 == 4 * w && projected.Ne1 == steps && projected.Nb(0) == 4 && projected.Ne2 == 1 && projected.Ne3 == 1, "lstm_step",
            () => $"projected {S(projected)} must be {{{4 * w}, {steps}}} with contiguous columns");
        Require(cPrevious.IsContiguous && cPrevious.ElementCount == w, "lstm_step", () => $"c_prev {S(cPrevious)} must hold {w} contiguous values");
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[3];
        args[0] = recurrent.Ptr;
        args[1] = projected.Ptr;
        args[2] = cPrevious.Ptr;
        return new Tensor(GgmlOps.ggml_custom_inplace(Pointer, state.Ptr, args, 3, &LstmCellKernel.Step, -1, step)).Named("lstm_step");
    }

    /// <summary>
    /// Finishes a conv computed as z = W_stacked · frames {taps·out, T}: {out, frames} with frame t =
    /// Σ_m z[rows m·out.., frame t + m·shift] + bias.
    /// </summary>
    public Tensor TapSum(Tensor z, Tensor bias, int taps, int shift, long frames)
    {
        RequireF32(z, "tap_sum");
        RequireF32(bias, "tap_sum");
        Require(bias.IsContiguous && bias.Ne1 == 1 && bias.Ne2 == 1 && bias.Ne3 == 1, "tap_sum", () => $"bias {S(bias)} must be a vector");
        Require(taps >= 1 && shift >= 1 && frames >= 1, "tap_sum", () => $"taps {taps}, shift {shift} and frames {frames} must be positive");
        Require(z.Nb(0) == 4 && z.Ne2 == 1 && z.Ne3 == 1 && z.Ne0 == taps * bias.Ne0, "tap_sum",
            () => $"z {S(z)} must be {{{taps}·{bias.Ne0}, T}} with contiguous columns");
        Require(frames + (long)(taps - 1) * shift <= z.Ne1, "tap_sum",
            () => $"{frames} frames with {taps} taps {shift} apart need {frames + (long)(taps - 1) * shift} columns of z, it has {z.Ne1}");
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[2];
        args[0] = z.Ptr;
        args[1] = bias.Ptr;
        var t = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, bias.Ne0, frames, 1, 1, args, 2, &FrameKernels.TapSum, -1, 0);
        SetKernelParams(t, taps, shift);
        return new Tensor(t).Named("tap_sum");
    }

    /// <summary>
    /// <see cref="GeluErf"/> by our vectorized kernel (<see cref="Kernels.GeluErfKernel"/>; ggml's calls libm's erff per
    /// element). Same shape, contiguous F32. Every worker thread enters it: on a backend whose worker threads are
    /// created per graph (<see cref="ComputeBackend.KeepsWorkerThreads"/> false, more than one thread) each compute
    /// then pays for attaching a fresh thread to .NET.
    /// </summary>
    public Tensor GeluErfKernel(Tensor x) =>
        Differentiable ? GeluErf(x) : ElementwiseKernel(x, "gelu_erf_kernel", &Kernels.GeluErfKernel.Run); // a custom op has no backward

    /// <summary>
    /// gelu_fast (the tanh approximation in float, not ggml's fp16 table) by our vectorized kernel
    /// (<see cref="Kernels.GeluTanhKernel"/>) in one pass. Same shape, contiguous F32.
    /// </summary>
    public Tensor GeluTanhKernel(Tensor x) =>
        Differentiable ? GeluTanhComposite(x) : ElementwiseKernel(x, "gelu_tanh_kernel", &Kernels.GeluTanhKernel.Run);

    // one node of an element-by-element C# kernel: same shape, contiguous F32
    private Tensor ElementwiseKernel(Tensor x, string op, delegate* unmanaged<GgmlTensorStruct*, int, int, nint, void> kernel)
    {
        RequireF32(x, op);
        RequireContiguous(x, op);
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[1];
        args[0] = x.Ptr;
        return new Tensor(GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, x.Ne0, x.Ne1, x.Ne2, x.Ne3, args, 1, kernel, -1, 0)).Named(op);
    }

    /// <summary>
    /// softmax(scale·q·kᵀ + mask)·v for one query per row by our kernel (<see cref="Kernels.OneQueryAttentionKernel"/>),
    /// heads merged: query {width, 1, rows} (contiguous F32), keys {hd, n_kv, heads, rows} (F32 with contiguous rows)
    /// and transposed values {n_kv, hd, heads, rows} (F32, contiguous along n_kv, or a permuted view of head-major
    /// values {hd, n_kv, ...}, contiguous along hd: e.g. of a cache), mask null or {n_kv, ≥ 1, 1, 1 or rows}
    /// F32 (row 0 used; keys masked with float.MinValue or -inf are skipped) -> {width, 1, rows}.
    /// </summary>
    public Tensor AttendOneQuery(Tensor query, Tensor keys, Tensor valuesTransposed, Tensor? mask, float scale)
    {
        const string op = "attend_one_query";
        Require(!Differentiable, op, () => "a custom kernel has no backward; training graphs take the product form (MultiHeadAttention)");
        RequireF32(query, op);
        RequireF32(keys, op);
        RequireF32(valuesTransposed, op);
        RequireContiguous(query, op);
        var (hd, n, heads, rows) = (keys.Ne0, keys.Ne1, keys.Ne2, keys.Ne3);
        Require(query.Ne1 == 1 && query.Ne3 == 1 && query.Ne0 == hd * heads && query.Ne2 == rows, op,
            () => $"query {S(query)} is not one position of {heads} heads x {hd} for {rows} rows (keys {S(keys)})");
        Require(keys.Nb(0) == 4 && (valuesTransposed.Nb(0) == 4 || valuesTransposed.Nb(1) == 4), op,
            () => $"keys {S(keys)} need contiguous rows, values {S(valuesTransposed)} contiguous keys or head dims");
        Require(valuesTransposed.Ne0 == n && valuesTransposed.Ne1 == hd && valuesTransposed.Ne2 == heads && valuesTransposed.Ne3 == rows, op,
            () => $"transposed values {S(valuesTransposed)} do not match keys {S(keys)}");
        if (mask is { } m)
        {
            RequireF32(m, op);
            RequireContiguous(m, op);
            Require(m.Ne0 == n && m.Ne2 == 1 && (m.Ne3 == 1 || m.Ne3 == rows), op, () => $"mask {S(m)} is not {{{n}, q, 1, 1 or {rows}}}");
        }
        Require(n <= 1 << 20, op, () => $"{n} keys are too many for one query's score buffer");
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[4];
        args[0] = query.Ptr;
        args[1] = keys.Ptr;
        args[2] = valuesTransposed.Ptr;
        args[3] = mask is { } mm ? mm.Ptr : null;
        var t = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, query.Ne0, 1, rows, 1, args, mask is null ? 3 : 4,
            &Kernels.OneQueryAttentionKernel.Run, -1, 0);
        SetKernelParams(t, BitConverter.SingleToInt32Bits(scale));
        return new Tensor(t).Named(op);
    }

    /// <summary>
    /// <see cref="MulMat"/> for a weight packed for our integer product kernel (<see cref="Int8Products"/>): w {k, m},
    /// x {k, n, ...} F32 with contiguous rows -> {m, n, ...} F32, plus <paramref name="bias"/> {m} when given (added by
    /// the kernel). Two nodes: the activations quantized per column, then the product (<see cref="Kernels.Int8ProductKernel"/>).
    /// </summary>
    public Tensor Int8Product(Tensor w, Tensor x, Tensor? bias = null)
    {
        const string op = "int8_product";
        if (bias is { } b)
            Require(b.Type == GgmlType.F32 && b.IsContiguous && b.ElementCount == w.Ne1, op, () => $"bias {S(b)} is not {w.Ne1} F32 values for {S(w)}");
        RequirePackedWeight(w, op);
        Require(w.Ne0 == x.Ne0, op, () => $"inner sizes differ: {S(w)} vs {S(x)}");
        Require(x.Type == GgmlType.F32 && x.Nb(0) == 4, op, () => $"{S(x)} must be F32 with contiguous rows");
        EnsureRoom(2);
        var args = stackalloc GgmlTensorStruct*[2];
        args[0] = x.Ptr;
        var columns = x.Ne1 * x.Ne2 * x.Ne3;
        var quantized = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.I8, Kernels.Int8Layout.ColumnBytes(x.Ne0), columns, 1, 1, args, 1,
            &Kernels.Int8ProductKernel.Quantize, -1, 0);
        new Tensor(quantized).Named("int8_activations");
        var all = stackalloc GgmlTensorStruct*[4];
        all[0] = quantized;
        all[1] = w.Ptr;
        all[2] = WorkCounter();
        all[3] = bias is { } bb ? bb.Ptr : null;
        return new Tensor(GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, w.Ne1, x.Ne1, x.Ne2, x.Ne3, all, bias is null ? 3 : 4,
            &Kernels.Int8ProductKernel.Multiply, -1, 0)).Named(op);
    }

    /// <summary>
    /// A convolution (no padding) over channels-first frames {in, L, B} (F32, contiguous) with a packed kernel
    /// w {taps·in, out} (<see cref="Int8Products"/>; GGUF order, taps fastest): {out, T, B}, T = (L - taps) / stride + 1.
    /// The im2col columns are quantized straight from the frames (<see cref="Kernels.Int8FramesKernel"/>), then multiplied.
    /// </summary>
    public Tensor Int8ConvFrames(Tensor w, Tensor frames, int taps, int stride)
    {
        const string op = "int8_conv_frames";
        RequirePackedWeight(w, op);
        RequireF32(frames, op);
        RequireContiguous(frames, op);
        Require(frames.Ne3 == 1, op, () => $"frames {S(frames)} must be {{channels, time, batch}}");
        Require(taps >= 1 && stride >= 1 && w.Ne0 == (long)taps * frames.Ne0, op,
            () => $"kernel {S(w)} is not {taps} taps of the {frames.Ne0} channels of {S(frames)}");
        Require(frames.Ne1 >= taps, op, () => $"{frames.Ne1} frames are fewer than the kernel's {taps} taps");
        var count = (frames.Ne1 - taps) / stride + 1;
        EnsureRoom(2);
        var args = stackalloc GgmlTensorStruct*[2];
        args[0] = frames.Ptr;
        Require(count <= int.MaxValue, op, () => $"{count} output frames are too many");
        var quantized = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.I8, Kernels.Int8Layout.ColumnBytes(w.Ne0), count * frames.Ne2, 1, 1, args, 1,
            &Kernels.Int8FramesKernel.Quantize, -1, 0);
        SetKernelParams(quantized, taps, stride, (int)count);
        new Tensor(quantized).Named("int8_frames");
        var all = stackalloc GgmlTensorStruct*[3];
        all[0] = quantized;
        all[1] = w.Ptr;
        all[2] = WorkCounter();
        return new Tensor(GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, w.Ne1, count, frames.Ne2, 1, all, 3,
            &Kernels.Int8ProductKernel.Multiply, -1, 0)).Named(op);
    }

    /// <summary>
    /// A grouped convolution (stride 1, <paramref name="padding"/> zero frames on both sides) with a packed kernel
    /// w {taps·width, channels} (width = channels / groups; GGUF order, taps fastest) over time-first frames
    /// {L, channels, B} (F32, contiguous along time): {channels, L + 2·padding - taps + 1, B} by our integer kernel
    /// (<see cref="Kernels.Int8GroupedConvKernel"/>).
    /// </summary>
    public Tensor Int8GroupedConv(Tensor w, Tensor timeFirst, int taps, int groups, int padding)
    {
        const string op = "int8_grouped_conv";
        RequirePackedWeight(w, op);
        RequireF32(timeFirst, op);
        Require(timeFirst.Nb(0) == 4 && timeFirst.Ne3 == 1, op, () => $"frames {S(timeFirst)} must be {{time, channels, batch}}, contiguous along time");
        var channels = timeFirst.Ne1;
        Require(groups >= 1 && channels % groups == 0 && channels / groups % Kernels.Int8Layout.Rows == 0, op,
            () => $"{groups} groups of {channels} channels are not whole groups of {Kernels.Int8Layout.Rows} rows");
        Require(taps >= 1 && padding >= 0 && w.Ne1 == channels && w.Ne0 == (long)taps * (channels / groups), op,
            () => $"kernel {S(w)} is not {taps} taps of {channels / groups} channels for {channels} outputs");
        var frames = timeFirst.Ne0 + 2L * padding - taps + 1;
        Require(frames >= 1, op, () => $"{timeFirst.Ne0} frames with {padding} padding are fewer than the kernel's {taps} taps");
        EnsureRoom(2);
        var args = stackalloc GgmlTensorStruct*[3];
        args[0] = timeFirst.Ptr;
        args[1] = w.Ptr;
        args[2] = WorkCounter();
        var t = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, channels, frames, timeFirst.Ne2, 1, args, 3,
            &Kernels.Int8GroupedConvKernel.Run, -1, 0);
        SetKernelParams(t, taps, groups, padding);
        return new Tensor(t).Named(op);
    }

    /// <summary>
    /// Unmasked multi-head attention softmax(scale·q·kᵀ)·v by our integer kernel (<see cref="Kernels.Int8AttentionKernel"/>):
    /// q, k, v the projections {width, n, items} (F32, contiguous rows), heads of a whole number of 32 dims ->
    /// {width, n, items} with the heads merged. For encoders whose projections are Q8_0 already.
    /// </summary>
    public Tensor Int8Attention(Tensor query, Tensor key, Tensor value, int heads, float scale)
    {
        const string op = "int8_attention";
        Require(!Differentiable, op, () => "a custom kernel has no backward");
        foreach (var x in new[] { query, key, value })
        {
            RequireF32(x, op);
            Require(x.Nb(0) == 4 && x.Ne3 == 1, op, () => $"{S(x)} must be {{width, n, items}} with contiguous rows");
        }
        Require(key.Ne0 == query.Ne0 && value.Ne0 == query.Ne0 && key.Ne1 == query.Ne1 && value.Ne1 == query.Ne1 &&
                key.Ne2 == query.Ne2 && value.Ne2 == query.Ne2, op, () => $"query {S(query)}, key {S(key)} and value {S(value)} differ");
        Require(heads > 0 && query.Ne0 % heads == 0 && query.Ne0 / heads % Kernels.Int8Layout.Block == 0, op,
            () => $"{heads} heads of {S(query)} are not whole blocks of 32 dims");
        Require(Kernels.Int8AttentionKernel.Takes(query.Ne0 / heads, query.Ne1), op,
            () => $"{query.Ne1} keys are more than the integer attention takes ({Kernels.Int8AttentionKernel.MaxKeys})");
        Require(float.IsFinite(scale), op, () => $"scale {scale} is not finite");
        EnsureRoom(2);
        var args = stackalloc GgmlTensorStruct*[2];
        args[0] = key.Ptr;
        args[1] = value.Ptr;
        var packed = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.I8, Kernels.Int8AttentionKernel.HeadBytes(query.Ne0 / heads, query.Ne1),
            heads * query.Ne2, 1, 1, args, 2, &Kernels.Int8AttentionKernel.Pack, -1, heads);
        new Tensor(packed).Named("int8_keys_values");
        var all = stackalloc GgmlTensorStruct*[3];
        all[0] = query.Ptr;
        all[1] = packed;
        all[2] = WorkCounter();
        var t = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, query.Ne0, query.Ne1, query.Ne2, 1, all, 3,
            &Kernels.Int8AttentionKernel.Attend, -1, heads);
        SetKernelParams(t, BitConverter.SingleToInt32Bits(scale));
        return new Tensor(t).Named(op);
    }

    // the weight operand of an integer kernel: a whole packed weight (a view has no packed layout), in a graph without backward
    private void RequirePackedWeight(Tensor w, string op)
    {
        Require(w.IsInt8Packed && w.Ptr->ViewSrc == 0, op, () => $"{S(w)} is not a whole packed weight (a view of one has no packed layout)");
        Require(!Differentiable, op, () => $"the packed weight {S(w)} has no backward; a training model keeps its weights unpacked");
    }

    // a node of its own that zeroes an integer kernel's work counter before each compute (Int8ProductKernel.ZeroCounter)
    private GgmlTensorStruct* WorkCounter()
    {
        EnsureRoom(1);
        var counter = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.I32, 1, 1, 1, 1, null, 0, &Kernels.Int8ProductKernel.ZeroCounter, 1, 0);
        new Tensor(counter).Named("work_counter");
        return counter;
    }

    /// <summary>Longest weight row (taps·in) <see cref="ConvFrames"/> takes for a conv with fewer than 8 outputs.</summary>
    public const int MaxDirectDotRow = Kernels.ConvFramesKernel.MaxDotRow;

    private static void SetKernelParams(GgmlTensorStruct* t, params int[] values)
    {
        if (values.Length > 16 - FrameKernels.FirstParam) throw new GgmlException("too many kernel parameters");
        for (var i = 0; i < values.Length; i++) t->OpParams[FrameKernels.FirstParam + i] = values[i];
    }

    /// <summary>
    /// A convolution computed by our kernel straight from padded channels-first frames {in, T}: {out, frames} with
    /// y[o, t] = bias[o] + Σ_q Σ_i W[q·in + i, o] · frames[i, t·step + q·dilation], plus <paramref name="skip"/> {out, frames}
    /// when given (a residual connection in the same pass). W is F32 in blocks of 16 outputs: {16, taps·in, ceil(out/16)},
    /// element (lane, q·in + i, block) = weight of input i at tap q for output 16·block + lane (zero past the last output).
    /// </summary>
    public Tensor ConvFrames(Tensor frames, Tensor kernel, Tensor bias, int taps, int step, int dilation, Tensor? skip = null)
    {
        foreach (var t in new[] { frames, kernel, bias }) RequireF32(t, "conv_frames");
        RequireContiguous(frames, "conv_frames");
        RequireContiguous(kernel, "conv_frames");
        RequireContiguous(bias, "conv_frames");
        Require(frames.Ne2 == 1 && frames.Ne3 == 1, "conv_frames", () => $"frames {S(frames)} must be a {{channels, time}} matrix");
        Require(taps >= 1 && step >= 1 && dilation >= 1, "conv_frames", () => $"taps {taps}, step {step} and dilation {dilation} must be positive");
        var cout = bias.ElementCount;
        const int block = Kernels.ConvFramesKernel.Block;
        var blocks = (cout + block - 1) / block;
        Require(kernel.Ne0 == block && kernel.Ne1 == taps * frames.Ne0 && kernel.Ne2 == blocks && kernel.Ne3 == 1, "conv_frames",
            () => $"kernel {S(kernel)} must be {{{block}, {taps}·{frames.Ne0}, {blocks}}} for {cout} outputs (bias {S(bias)})");
        Require(cout >= 8 || kernel.Ne1 <= Kernels.ConvFramesKernel.MaxDotRow, "conv_frames",
            () => $"a conv with fewer than 8 outputs takes at most {Kernels.ConvFramesKernel.MaxDotRow} inputs per output, {S(kernel)} has {kernel.Ne1}");
        var span = (long)(taps - 1) * dilation + 1;
        Require(frames.Ne1 >= span, "conv_frames", () => $"{frames.Ne1} frames are fewer than the kernel's span {span}");
        var count = (frames.Ne1 - span) / step + 1;
        if (skip is { } k)
            Require(k.Type == GgmlType.F32 && k.IsContiguous && k.Ne0 == cout && k.Ne1 == count && k.Ne2 == 1 && k.Ne3 == 1, "conv_frames",
                () => $"skip {S(k)} must be a contiguous F32 {{{cout}, {count}}}");
        EnsureRoom(1);
        var args = stackalloc GgmlTensorStruct*[4];
        args[0] = frames.Ptr;
        args[1] = kernel.Ptr;
        args[2] = bias.Ptr;
        args[3] = skip is { } sk ? sk.Ptr : null;
        var result = GgmlOps.ggml_custom_4d(Pointer, (int)GgmlType.F32, cout, count, 1, 1, args, skip is null ? 3 : 4,
            &Kernels.ConvFramesKernel.Run, -1, 0);
        SetKernelParams(result, taps, step, dilation);
        return new Tensor(result).Named(skip is null ? "conv_frames" : "conv_frames+skip");
    }
}
