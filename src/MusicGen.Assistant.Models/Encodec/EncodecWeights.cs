using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// A convolution's kernel and bias, resident on the backend: {k*in, out} for <see cref="ConvLayout.Im2Col"/>,
/// {group·in, taps·out} for <see cref="ConvLayout.TapStacked"/> (see <see cref="TapPlan"/>), F32 blocks
/// {16, k·in, ceil(out/16)} for <see cref="ConvLayout.Direct"/>.
/// </summary>
public sealed record ConvWeights(ConvSpec Spec, Tensor Kernel, Tensor Bias, ConvLayout Layout = ConvLayout.Im2Col);

/// <summary>
/// A transposed convolution's column matrix and bias: {in, k*out} with rows o·k + tap (<see cref="ConvLayout.Im2Col"/>,
/// for col2im), {in, taps·stride·out} with rows tap·out + o (<see cref="ConvLayout.TapStacked"/>), or the direct
/// kernel's F32 blocks over stride·out outputs with the bias repeated per output phase, {stride·out}
/// (<see cref="ConvLayout.Direct"/>).
/// </summary>
public sealed record ConvTransposeWeights(ConvTransposeSpec Spec, Tensor Columns, Tensor Bias, ConvLayout Layout = ConvLayout.Im2Col);

/// <summary>
/// One LSTM layer: input and recurrent matrices {width, 4*width} and the summed bias. With <see cref="InputDirect"/>
/// the input matrix is in the direct kernel's F32 blocks (<see cref="ConvLayout.Direct"/>), a 1x1 conv over the frames.
/// </summary>
public sealed record LstmLayerWeights(Tensor InputWeights, Tensor HiddenWeights, Tensor Bias, bool InputDirect = false);

/// <summary>
/// All EnCodec tensors of a GGUF file, checked against the config's layer plan and uploaded to a backend. Owns the
/// backend memory holding them. Convolution kernels are re-laid out on the way into the form the graph will use
/// (<see cref="ConvLayout"/>: direct on the CPU, tap-stacked elsewhere) unless the GGUF layout is asked for.
/// </summary>
public sealed class EncodecWeights : IDisposable
{
    private static readonly GgmlType[] Floats = [GgmlType.F32, GgmlType.F16];
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;
    private readonly Dictionary<string, ConvWeights> _convs = [];
    private readonly Dictionary<string, ConvTransposeWeights> _convTransposes = [];
    private readonly Dictionary<string, LstmLayerWeights[]> _lstms = [];
    private readonly List<(Tensor Tensor, Action Fill)> _restacked = [];
    private readonly GgufFile _file;
    private readonly ConvLayout _layout;

    public EncodecWeights(GgufFile file, EncodecConfig config, ComputeBackend backend, ConvLayout layout = ConvLayout.TapStacked)
    {
        Config = config;
        _file = file;
        _layout = layout;
        var encoder = EncodecLayers.Encoder(config);
        var decoder = EncodecLayers.Decoder(config);
        _store = WeightBinder.NewStore(file, backend, 4L * (encoder.Count + decoder.Count) * (2 + 3 * config.NumLstmLayers) + config.NumQuantizers + 16);
        try
        {
            var binder = new WeightBinder(file, _store);
            foreach (var layer in encoder.Concat(decoder)) Bind(binder, layer);
            Codebooks = Enumerable.Range(0, config.NumQuantizers)
                .Select(q => binder.Require(EncodecKeys.Codebook(q), [config.CodebookDim, config.CodebookSize], GgmlType.F32))
                .ToArray();
            binder.Upload();
            foreach (var (_, fill) in _restacked) fill();
            if (_restacked.Count > 0)
            {
                // the re-laid-out kernels went through large temporary arrays; a plain collection leaves their 32 MB
                // heap regions resident for a long while (~200 MB for the 32 kHz model), an aggressive one returns them
                _restacked.Clear();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public EncodecConfig Config { get; }
    public IReadOnlyList<Tensor> Codebooks { get; }
    public long ResidentBytes => _store.AllocatedBytes;

    /// <summary>The layout asked for at load (each conv's own is in its <see cref="ConvWeights.Layout"/>).</summary>
    public ConvLayout Layout => _layout;

    public ConvWeights Conv(ConvSpec spec) => _convs[spec.Name];
    public ConvTransposeWeights ConvTranspose(ConvTransposeSpec spec) => _convTransposes[spec.Name];
    public IReadOnlyList<LstmLayerWeights> Lstm(LstmSpec spec) => _lstms[spec.GgufPrefix];

    private void Bind(WeightBinder binder, EncodecLayer layer)
    {
        switch (layer)
        {
            case ConvSpec c: BindConv(binder, c); break;
            case ResidualBlockSpec r:
                BindConv(binder, r.First);
                BindConv(binder, r.Second);
                if (r.Shortcut is not null) BindConv(binder, r.Shortcut);
                break;
            case ConvTransposeSpec t:
                Tensor Bias() => binder.Require(EncodecKeys.Bias(t.Name), [t.OutChannels], GgmlType.F32);
                var columnsShape = new[] { (long)t.InChannels, (long)t.Kernel * t.OutChannels };
                _convTransposes[t.Name] = ConvLayouts.For(t, _layout) switch
                {
                    ConvLayout.Direct => new ConvTransposeWeights(t,
                        Restack(EncodecKeys.Weight(t.Name), [columnsShape], ConvLayouts.DirectShape(t), values => ConvLayouts.Direct(values, t), GgmlType.F32),
                        Restack(EncodecKeys.Bias(t.Name), [[t.OutChannels]], [(long)t.Stride * t.OutChannels],
                            values => Tile(values, t.Stride), GgmlType.F32, [GgmlType.F32]),
                        ConvLayout.Direct),
                    ConvLayout.TapStacked => new ConvTransposeWeights(t, Restack(EncodecKeys.Weight(t.Name), [columnsShape], TapPlan.StackedShape(t),
                        values => TapPlan.StackConvTranspose(values, t)), Bias(), ConvLayout.TapStacked),
                    _ => new ConvTransposeWeights(t, binder.Require(EncodecKeys.Weight(t.Name), columnsShape, Matrices), Bias()),
                };
                break;
            case LstmSpec l:
                // the input projection is one product per chunk: the direct kernel beats ggml's GEMM at it; the
                // recurrent product is a matrix-vector product per step, bound by memory, so it keeps the file's type
                var direct = _layout == ConvLayout.Direct;
                _lstms[l.GgufPrefix] = Enumerable.Range(0, l.Layers).Select(i => new LstmLayerWeights(
                    direct
                        ? Restack(EncodecKeys.LstmInput(l.GgufPrefix, i), [[l.Width, 4L * l.Width]], ConvLayouts.DirectMatrixShape(l.Width, 4 * l.Width),
                            values => ConvLayouts.DirectMatrix(values, l.Width, 4 * l.Width), GgmlType.F32)
                        : binder.Require(EncodecKeys.LstmInput(l.GgufPrefix, i), [l.Width, 4L * l.Width], Matrices),
                    binder.Require(EncodecKeys.LstmHidden(l.GgufPrefix, i), [l.Width, 4L * l.Width], Matrices),
                    binder.Require(EncodecKeys.LstmBias(l.GgufPrefix, i), [4L * l.Width], GgmlType.F32), direct)).ToArray();
                break;
        }
    }

    // Kernels are read flattened to {k*in, out}; f32/f16 files keep them 3-D, quantized ones 2-D.
    private void BindConv(WeightBinder binder, ConvSpec c)
    {
        var bias = binder.Require(EncodecKeys.Bias(c.Name), [c.OutChannels], GgmlType.F32);
        long[] shape3 = [c.Kernel, c.InChannels, c.OutChannels], shape2 = [(long)c.Kernel * c.InChannels, c.OutChannels];
        var layout = ConvLayouts.For(c, _layout);
        if (layout == ConvLayout.TapStacked)
        {
            // a 1x1 conv is already stacked: {in, out}
            var kernel = c.Kernel == 1 && c.Stride == 1
                ? binder.RequireEither(EncodecKeys.Weight(c.Name), shape3, shape2, Matrices)
                : Restack(EncodecKeys.Weight(c.Name), [shape3, shape2], TapPlan.StackedShape(c), values => TapPlan.StackConv(values, c));
            _convs[c.Name] = new ConvWeights(c, kernel, bias, ConvLayout.TapStacked);
            return;
        }
        if (layout == ConvLayout.Direct)
        {
            // our kernel reads f32: these convs are small, so whatever the file holds is widened once here
            _convs[c.Name] = new ConvWeights(c, Restack(EncodecKeys.Weight(c.Name), [shape3, shape2], ConvLayouts.DirectShape(c),
                values => ConvLayouts.Direct(values, c), GgmlType.F32), bias, ConvLayout.Direct);
            return;
        }
        _convs[c.Name] = new ConvWeights(c, binder.RequireEither(EncodecKeys.Weight(c.Name), shape3, shape2, Matrices), bias);
    }

    /// <summary>
    /// Declares a tensor stored in another layout than the file's: checked like any tensor now, converted (through
    /// f32, then to <paramref name="storeAs"/>, else back to the file's type, or f16 when a quantized row would not be
    /// whole blocks) when the store is filled.
    /// </summary>
    private delegate float[] Relayout(ReadOnlySpan<float> values);

    // The bias of every output phase of a transposed conv in the direct form: the values repeated `times` times.
    private static float[] Tile(ReadOnlySpan<float> values, int times)
    {
        var result = new float[values.Length * times];
        for (var i = 0; i < times; i++) values.CopyTo(result.AsSpan(i * values.Length));
        return result;
    }

    private Tensor Restack(string name, long[][] fileShapes, long[] stackedShape, Relayout restack, GgmlType? storeAs = null,
        GgmlType[]? allowed = null)
    {
        allowed ??= Matrices;
        if (!_file.TryGetTensor(name, out var info))
            throw new ModelWeightsException($"{_file.Path}: missing tensor '{name}' (expected shape [{string.Join(", ", fileShapes[0])}])");
        if (!fileShapes.Any(s => s.SequenceEqual(info.Ne)))
            throw new ModelWeightsException($"{_file.Path}: tensor '{name}' has shape [{string.Join(", ", info.Ne)}], expected " +
                                            string.Join(" or ", fileShapes.Select(s => $"[{string.Join(", ", s)}]")));
        if (!allowed.Contains(info.Type))
            throw new ModelWeightsException($"{_file.Path}: tensor '{name}' is {info.Type}, expected one of {string.Join(", ", allowed)}");
        var type = storeAs ?? (stackedShape[0] % GgmlTypeSizes.BlockSize(info.Type) == 0 ? info.Type : GgmlType.F16);
        var tensor = _store.Context.NewTensor(type, stackedShape).Named(name);
        var count = info.Ne.Aggregate(1L, (a, b) => a * b);
        _restacked.Add((tensor, () =>
        {
            // f32 is read in place from the mapping and written as is: one temporary array per tensor, not three
            var bytes = _file.GetTensorBytes(info);
            var values = info.Type == GgmlType.F32
                ? restack(MemoryMarshal.Cast<byte, float>(bytes))
                : restack(Quantizer.Dequantize(bytes, count, info.Type));
            if (type == GgmlType.F32) tensor.SetData<float>(values);
            else tensor.SetData<byte>(Quantizer.Quantize(values, stackedShape[0], type));
        }));
        return tensor;
    }

    public void Dispose() => _store.Dispose();
}
