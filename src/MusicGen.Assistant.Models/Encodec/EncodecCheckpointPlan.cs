using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// Maps a Hugging Face EncodecModel state dict (standalone, or under <c>audio_encoder.</c> in a MusicGen checkpoint) to
/// our EnCodec GGUF tensors, folding weight norm and arranging each kernel in the layout <see cref="EncodecKeys"/>
/// documents. This is the one place where EnCodec's layout changes.
/// </summary>
public sealed class EncodecCheckpointPlan : IConversionPlan
{
    private readonly CheckpointReader _reader;
    private readonly EncodecConfig _config;
    private readonly string _hf;

    public EncodecCheckpointPlan(CheckpointReader reader, EncodecConfig config, string hfPrefix)
    {
        _reader = reader;
        _config = config.Validate();
        _hf = hfPrefix;
        var tensors = new List<PlannedTensor>();
        foreach (var layer in EncodecLayers.Encoder(config).Concat(EncodecLayers.Decoder(config))) Plan(layer, tensors);
        for (var q = 0; q < config.NumQuantizers; q++)
        {
            var name = $"{_hf}quantizer.layers.{q}.codebook.embed";
            tensors.Add(new PlannedTensor(EncodecKeys.Codebook(q), [config.CodebookDim, config.CodebookSize], TensorRole.Exact,
                () => _reader.Read(name, config.CodebookSize, config.CodebookDim), name));
        }
        Tensors = tensors;
    }

    public string Architecture => EncodecKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => EncodecMetadata.Write(writer, _config);

    private void Plan(EncodecLayer layer, List<PlannedTensor> tensors)
    {
        switch (layer)
        {
            case ConvSpec c: PlanConv(c, tensors); break;
            case ResidualBlockSpec r:
                PlanConv(r.First, tensors);
                PlanConv(r.Second, tensors);
                if (r.Shortcut is not null) PlanConv(r.Shortcut, tensors);
                break;
            case ConvTransposeSpec t: PlanConvTranspose(t, tensors); break;
            case LstmSpec l: PlanLstm(l, tensors); break;
        }
    }

    // PyTorch [out, in, k] is already {k*in, out} in ggml order: k fastest, then input channel.
    private void PlanConv(ConvSpec c, List<PlannedTensor> tensors)
    {
        var hf = _hf + c.HfName;
        tensors.Add(new PlannedTensor(EncodecKeys.Weight(c.Name), [(long)c.Kernel * c.InChannels, c.OutChannels], TensorRole.Matrix,
            () => _reader.ReadWeightNormed(hf, [c.OutChannels, c.InChannels, c.Kernel]), hf));
        tensors.Add(new PlannedTensor(EncodecKeys.Bias(c.Name), [c.OutChannels], TensorRole.Exact,
            () => _reader.Read($"{hf}.bias", c.OutChannels), hf));
    }

    // PyTorch [in, out, k] (weight norm over dim 0 = in) -> rows (out, k) of `in` values: ggml {in, k*out}, k fastest.
    private void PlanConvTranspose(ConvTransposeSpec t, List<PlannedTensor> tensors)
    {
        var hf = _hf + t.HfName;
        tensors.Add(new PlannedTensor(EncodecKeys.Weight(t.Name), [t.InChannels, (long)t.Kernel * t.OutChannels], TensorRole.Matrix, () =>
        {
            var w = _reader.ReadWeightNormed(hf, [t.InChannels, t.OutChannels, t.Kernel]);
            var columns = t.OutChannels * t.Kernel;
            var result = new float[w.Length];
            for (var i = 0; i < t.InChannels; i++)
                for (var j = 0; j < columns; j++)
                    result[j * t.InChannels + i] = w[i * columns + j];
            return result;
        }, hf));
        tensors.Add(new PlannedTensor(EncodecKeys.Bias(t.Name), [t.OutChannels], TensorRole.Exact,
            () => _reader.Read($"{hf}.bias", t.OutChannels), hf));
    }

    // nn.LSTM weight_ih/hh [4w, w] are {w, 4w} in ggml order as they are; the two biases are always added together.
    private void PlanLstm(LstmSpec l, List<PlannedTensor> tensors)
    {
        var hf = $"{_hf}{l.HfPrefix}.lstm";
        var w = (long)l.Width;
        for (var i = 0; i < l.Layers; i++)
        {
            var layer = i;
            tensors.Add(new PlannedTensor(EncodecKeys.LstmInput(l.GgufPrefix, i), [w, 4 * w], TensorRole.Matrix,
                () => _reader.Read($"{hf}.weight_ih_l{layer}", 4 * w, w), hf));
            tensors.Add(new PlannedTensor(EncodecKeys.LstmHidden(l.GgufPrefix, i), [w, 4 * w], TensorRole.Matrix,
                () => _reader.Read($"{hf}.weight_hh_l{layer}", 4 * w, w), hf));
            tensors.Add(new PlannedTensor(EncodecKeys.LstmBias(l.GgufPrefix, i), [4 * w], TensorRole.Exact, () =>
            {
                var a = _reader.Read($"{hf}.bias_ih_l{layer}", 4 * w);
                var b = _reader.Read($"{hf}.bias_hh_l{layer}", 4 * w);
                for (var k = 0; k < a.Length; k++) a[k] += b[k];
                return a;
            }, hf));
        }
    }
}
