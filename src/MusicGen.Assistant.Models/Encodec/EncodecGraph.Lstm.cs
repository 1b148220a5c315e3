using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

public sealed partial class EncodecGraph
{
    /// <summary>
    /// EncodecLSTM: stacked nn.LSTM (gates i, f, g, o) over the sequence plus the input as a skip connection. The
    /// input projection of every step is one matrix product; the recurrence is unrolled step by step. The state after
    /// <paramref name="stateStep"/> steps is returned so the next chunk can continue from it.
    /// </summary>
    public (Signal Output, LstmState StateAtStep) Lstm(LstmSpec spec, Signal x, LstmState initial, int stateStep)
    {
        var input = x.AsChannelsFirst(ctx);
        var layers = weights.Lstm(spec);
        var hAt = new Tensor[layers.Count];
        var cAt = new Tensor[layers.Count];
        var sequence = input;
        for (var l = 0; l < layers.Count; l++)
        {
            var lw = layers[l];
            if (lw.InputDirect) RequireKernels($"{spec.GgufPrefix} layer {l}");
            var projected = lw.InputDirect                                                    // {4w, steps}
                ? ctx.ConvFrames(sequence, lw.InputWeights, lw.Bias, 1, 1, 1)
                : ctx.Add(ctx.MulMat(lw.InputWeights, sequence), lw.Bias);
            if (stateStep == 0) { hAt[l] = initial.Hidden[l]; cAt[l] = initial.Cell[l]; }
            sequence = cpuKernels
                ? LayerWithStepKernel(lw, projected, initial.Hidden[l], initial.Cell[l], stateStep, out var h, out var c)
                : LayerUnrolled(lw, projected, initial.Hidden[l], initial.Cell[l], stateStep, out h, out c);
            if (stateStep > 0) { hAt[l] = h; cAt[l] = c; }
        }
        return (Signal.FromChannelsFirst(ctx.Add(sequence, input)), new LstmState(hAt, cAt));
    }

    // One custom node per step after the recurrent product: the states live in one {w, 2·steps} tensor (h_t in
    // column t, c_t in column steps + t) that every step updates in place, so the layer's output is a view of it.
    private Tensor LayerWithStepKernel(LstmLayerWeights lw, Tensor projected, Tensor h0, Tensor c0, int stateStep, out Tensor hAt, out Tensor cAt)
    {
        var width = projected.Ne0 / 4;
        var steps = (int)projected.Ne1;
        var frameBytes = width * sizeof(float);
        var state = ctx.NewTensor(GgmlType.F32, width, 2L * steps);
        Tensor h = h0, c = c0;
        hAt = h0;
        cAt = c0;
        for (var t = 0; t < steps; t++)
        {
            state = ctx.LstmStepInPlace(state, ctx.MulMat(lw.HiddenWeights, h), projected, c, t);
            h = ctx.View(state, [width], [], t * frameBytes);
            c = ctx.View(state, [width], [], (steps + t) * frameBytes);
            // copies: the views alias memory the allocator may hand out again once the layer is done
            if (t + 1 == stateStep) { hAt = ctx.Cont(h); cAt = ctx.Cont(c); }
        }
        return ctx.View(state, [width, steps], [frameBytes], 0);                               // {w, steps}: the h half
    }

    private Tensor LayerUnrolled(LstmLayerWeights lw, Tensor projected, Tensor h0, Tensor c0, int stateStep, out Tensor hAt, out Tensor cAt)
    {
        var width = projected.Ne0 / 4;
        var steps = projected.Ne1;
        var output = ctx.NewTensor(GgmlType.F32, width, steps);
        Tensor h = h0, c = c0;
        hAt = h0;
        cAt = c0;
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
            if (t + 1 == stateStep) { hAt = h; cAt = c; }
        }
        return output;
    }
}
