using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>A convolution's kernel (flattened to {k*in, out}) and bias, resident on the backend.</summary>
public sealed record ConvWeights(ConvSpec Spec, Tensor Kernel, Tensor Bias);

/// <summary>A transposed convolution's column matrix {in, k*out} and bias.</summary>
public sealed record ConvTransposeWeights(ConvTransposeSpec Spec, Tensor Columns, Tensor Bias);

/// <summary>One LSTM layer: input and recurrent matrices {width, 4*width} and the summed bias.</summary>
public sealed record LstmLayerWeights(Tensor InputWeights, Tensor HiddenWeights, Tensor Bias);

/// <summary>
/// All EnCodec tensors of a GGUF file, checked against the config's layer plan and uploaded to a backend. Owns the
/// backend memory holding them.
/// </summary>
public sealed class EncodecWeights : IDisposable
{
    private static readonly GgmlType[] Floats = [GgmlType.F32, GgmlType.F16];
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;
    private readonly Dictionary<string, ConvWeights> _convs = [];
    private readonly Dictionary<string, ConvTransposeWeights> _convTransposes = [];
    private readonly Dictionary<string, LstmLayerWeights[]> _lstms = [];

    public EncodecWeights(GgufFile file, EncodecConfig config, ComputeBackend backend)
    {
        Config = config;
        var encoder = EncodecLayers.Encoder(config);
        var decoder = EncodecLayers.Decoder(config);
        _store = new TensorStore(backend, 4 * (encoder.Count + decoder.Count) * (2 + 3 * config.NumLstmLayers) + config.NumQuantizers + 16);
        try
        {
            var binder = new WeightBinder(file, _store);
            foreach (var layer in encoder.Concat(decoder)) Bind(binder, layer);
            Codebooks = Enumerable.Range(0, config.NumQuantizers)
                .Select(q => binder.Require(EncodecKeys.Codebook(q), [config.CodebookDim, config.CodebookSize], GgmlType.F32))
                .ToArray();
            binder.Upload();
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
                _convTransposes[t.Name] = new ConvTransposeWeights(t,
                    binder.Require(EncodecKeys.Weight(t.Name), [t.InChannels, (long)t.Kernel * t.OutChannels], Matrices),
                    binder.Require(EncodecKeys.Bias(t.Name), [t.OutChannels], GgmlType.F32));
                break;
            case LstmSpec l:
                _lstms[l.GgufPrefix] = Enumerable.Range(0, l.Layers).Select(i => new LstmLayerWeights(
                    binder.Require(EncodecKeys.LstmInput(l.GgufPrefix, i), [l.Width, 4L * l.Width], Matrices),
                    binder.Require(EncodecKeys.LstmHidden(l.GgufPrefix, i), [l.Width, 4L * l.Width], Matrices),
                    binder.Require(EncodecKeys.LstmBias(l.GgufPrefix, i), [4L * l.Width], GgmlType.F32))).ToArray();
                break;
        }
    }

    // Kernels are read flattened to {k*in, out}; f32/f16 files keep them 3-D, quantized ones 2-D.
    private void BindConv(WeightBinder binder, ConvSpec c)
    {
        var kernel = binder.RequireEither(EncodecKeys.Weight(c.Name), [c.Kernel, c.InChannels, c.OutChannels],
            [(long)c.Kernel * c.InChannels, c.OutChannels], Matrices);
        _convs[c.Name] = new ConvWeights(c, kernel, binder.Require(EncodecKeys.Bias(c.Name), [c.OutChannels], GgmlType.F32));
    }

    public void Dispose() => _store.Dispose();
}
